"""View tests of the service team's screens, including French form errors
at the field, and stored-XSS payloads shown inert."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from services import actions as service_actions
from services.models import ApiKey, AuditAction, AuditEvent, GoLiveRequest
from templates_app.models import Template
from tests import factories

from .conftest import verified_client

pytestmark = pytest.mark.django_db

XSS = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def field_error(response, text: str) -> bool:
    html = response.content.decode()
    return "fr-input-group--error" in html and text in html


def test_template_create_refuses_empty_body_and_open_placeholder_in_french(
    manager_client, team_service
):
    url = (
        reverse("templates_app:template-create", args=[team_service.id]) + "?type=email"
    )

    empty = manager_client.post(
        url, {"name": "Rappel", "subject": "Objet", "body": " "}
    )
    unclosed = manager_client.post(
        url, {"name": "Rappel", "subject": "Objet", "body": "Bonjour ((nom"}
    )

    assert field_error(empty, "Ce champ est obligatoire.")
    assert field_error(unclosed, "n’est pas fermé")
    assert not Template.objects.filter(service=team_service).exists()


def test_template_edit_creates_a_version_and_history_shows_each(
    manager_client, team_service
):
    url = reverse("templates_app:template-create", args=[team_service.id]) + "?type=sms"
    manager_client.post(url, {"name": "Code", "body": "Votre code : ((code))"})
    template = Template.objects.get(service=team_service)

    manager_client.post(
        reverse("templates_app:template-update", args=[team_service.id, template.id]),
        {"name": "Code", "body": "Votre code est ((code)). Ne le donnez à personne."},
    )
    versions = manager_client.get(
        reverse("templates_app:versions", args=[team_service.id, template.id])
    )
    first = manager_client.get(
        reverse("templates_app:version-detail", args=[team_service.id, template.id, 1])
    )

    template.refresh_from_db()
    assert template.version == 2
    assert "Version 2" in versions.content.decode()
    assert "Votre code : ((code))" in first.content.decode()


def test_template_search_finds_by_name_and_content(manager_client, team_service):
    factories.email_template(service=team_service, name="Convocation")
    factories.sms_template(service=team_service, name="Rappel", body="RDV ((date))")
    url = reverse("templates_app:template-list", args=[team_service.id])

    by_name = manager_client.get(url, {"q": "convoc"}).content.decode()
    by_body = manager_client.get(url, {"q": "RDV"}).content.decode()

    assert "Convocation" in by_name and "Rappel" not in by_name
    assert "Rappel" in by_body and "Convocation" not in by_body


def test_email_preview_is_a_sandboxed_document_with_a_strict_csp(
    manager_client, team_service
):
    url = reverse("templates_app:draft-preview", args=[team_service.id])

    response = manager_client.post(
        url, {"channel": "email", "subject": "Bonjour ((nom))", "body": XSS}
    )

    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp
    assert "<script>alert(1)" not in response.content.decode()
    assert "&lt;script&gt;" in response.content.decode()


@pytest.mark.parametrize(
    ("branding", "has_state_block"), [("state", True), ("neutral", False)]
)
def test_email_preview_shows_the_service_name_and_its_branding(
    manager_client, team_service, branding, has_state_block
):
    team_service.branding = branding
    team_service.save(update_fields=["branding"])
    url = reverse("templates_app:draft-preview", args=[team_service.id])

    response = manager_client.post(
        url, {"channel": "email", "subject": "Objet", "body": "Bonjour"}
    )

    document = response.content.decode()
    assert document.lstrip().lower().startswith("<!doctype html")
    assert team_service.name in document
    assert ("République<br>Française" in document) is has_state_block


def test_sms_preview_counts_parts_and_names_costly_characters(
    manager_client, team_service
):
    url = reverse("templates_app:draft-preview", args=[team_service.id])

    summary = manager_client.post(
        url, {"channel": "sms", "format": "json", "body": "Prix : 10 € ((montant)) ✓"}
    ).json()

    assert summary["placeholders"] == ["montant"]
    assert summary["sms"]["encoding"] == "UCS-2"
    assert summary["sms"]["unicode_characters"] == ["✓"]
    assert summary["sms"]["fragment_count"] == 1
    assert summary["sms"]["notes"][0].startswith("« ✓ » n’est pas dans l’alphabet")


def test_archived_template_leaves_the_list(manager_client, team_service):
    template = factories.email_template(service=team_service, name="Ancien")

    manager_client.post(
        reverse("templates_app:template-archive", args=[team_service.id, template.id])
    )

    template.refresh_from_db()
    assert template.archived
    listing = manager_client.get(
        reverse("templates_app:template-list", args=[team_service.id])
    )
    assert "Ancien</a>" not in listing.content.decode()


def test_send_to_myself_reaches_delivered(
    manager_client, manager, team_service, django_capture_on_commit_callbacks
):
    template = factories.email_template(service=team_service)
    url = reverse("notifications:send", args=[team_service.id, template.id])

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            url, {"field_0": "Camille", "field_1": "A-42", "to_myself": "1"}
        )

    notification = Notification.objects.get(service=team_service)
    assert notification.normalised_recipient == manager.email
    assert notification.status == "delivered"
    page = manager_client.get(response["Location"]).content.decode()
    assert "Distribué" in page and "Confié à fake-email" in page


def test_trial_service_cannot_send_outside_its_team(manager_client, team_service):
    template = factories.email_template(service=team_service)

    response = manager_client.post(
        reverse("notifications:send", args=[team_service.id, template.id]),
        {"recipient": "inconnu@example.fr", "field_0": "A", "field_1": "B"},
    )

    assert field_error(response, "mode d’essai")
    assert not Notification.objects.exists()


def test_send_form_wants_every_placeholder_in_french(manager_client, team_service):
    template = factories.email_template(service=team_service)

    response = manager_client.post(
        reverse("notifications:send", args=[team_service.id, template.id]),
        {"recipient": "pas-une-adresse", "field_0": "", "field_1": "B"},
    )

    assert field_error(response, "Ce champ est obligatoire.")


def _notification(service, template, **fields):
    version = template.versions.get(version=template.version)
    defaults = {
        "channel": template.channel,
        "recipient": "camille@example.fr",
        "normalised_recipient": "camille@example.fr",
        "status": "delivered",
    }
    return Notification.objects.create(
        service=service,
        template=template,
        template_version=version,
        **{**defaults, **fields},
    )


def test_activity_filters_and_search(manager_client, team_service):
    email = factories.email_template(service=team_service)
    sms = factories.sms_template(service=team_service)
    _notification(team_service, email, client_reference="dossier-7")
    _notification(team_service, email, status="permanent-failure", recipient="b@x.fr")
    _notification(team_service, sms, recipient="+33612345678")
    url = reverse("notifications:activity", args=[team_service.id])

    assert "3 messages" in manager_client.get(url).content.decode()
    failed = manager_client.get(url, {"status": "failed"}).content.decode()
    assert "1 message" in failed and "b@x.fr" in failed
    assert "1 message" in manager_client.get(url, {"channel": "sms"}).content.decode()
    found = manager_client.get(url, {"search": "dossier-7"}).content.decode()
    assert "1 message" in found and "camille@example.fr" in found
    wrong_dates = manager_client.get(
        url, {"date_from": "2026-12-10", "date_to": "2026-12-01"}
    )
    assert field_error(wrong_dates, "La date de fin précède la date de début.")


def test_personal_data_is_hidden_once_retention_has_passed(
    manager_client, team_service
):
    template = factories.email_template(service=team_service)
    old = _notification(
        team_service,
        template,
        created_at=timezone.now() - dt.timedelta(days=8),
        personalisation={"name": "Camille", "reference": "A1"},
    )

    page = manager_client.get(
        reverse("notifications:notification-detail", args=[team_service.id, old.id])
    ).content.decode()
    activity = manager_client.get(
        reverse("notifications:activity", args=[team_service.id])
    ).content.decode()

    assert "camille@example.fr" not in page and "durée de conservation" in page
    assert "camille@example.fr" not in activity


def test_dashboard_counts_the_last_seven_days_per_channel(manager_client, team_service):
    template = factories.email_template(service=team_service)
    _notification(team_service, template)
    _notification(team_service, template, status="technical-failure")
    _notification(
        team_service, template, created_at=timezone.now() - dt.timedelta(days=9)
    )
    _notification(team_service, template, key_type="test")

    page = manager_client.get(
        reverse("notifications:dashboard", args=[team_service.id])
    ).content.decode()

    assert re.search(r'id="email-sent">2<', page)
    assert re.search(r'id="email-delivered">1<', page)
    assert re.search(r'id="email-failed">1<', page)
    assert "<svg" in page and "Échec technique" in page


def test_api_key_is_shown_once_and_works_against_the_api(manager_client, team_service):
    response = manager_client.post(
        reverse("services:api-key-create", args=[team_service.id]),
        {"name": "Serveur", "key_type": "test"},
    )
    key = re.search(r'id="api-key-value">([^<]+)<', response.content.decode()).group(1)
    api_key = ApiKey.objects.get(service=team_service)

    api = Client().get(
        f"/v2/notifications/{api_key.id}", HTTP_AUTHORIZATION=f"ApiKey-v1 {key}"
    )
    listing = manager_client.get(
        reverse("services:api-key-list", args=[team_service.id])
    ).content.decode()

    assert api.status_code == 404  # authenticated; that id is no notification
    assert key not in listing and "Serveur" in listing
    assert AuditEvent.objects.filter(action=AuditAction.API_KEY_CREATED).exists()


def test_api_key_revoke_asks_then_revokes(manager_client, team_service):
    created = factories.api_key(service=team_service, name="Ancienne")
    url = reverse("services:api-key-revoke", args=[team_service.id, created.api_key.id])

    assert "Révoquer la clé « Ancienne »" in manager_client.get(url).content.decode()
    manager_client.post(url)

    created.api_key.refresh_from_db()
    assert created.api_key.revoked_at is not None


def test_team_keeps_at_least_one_manager(manager_client, manager, team_service):
    member = team_service.members.get(user=manager)

    response = manager_client.post(
        reverse("services:member-permissions", args=[team_service.id, member.id]),
        {"permissions": ["view_activity"]},
    )

    assert "au moins un membre" in response.content.decode()
    member.refresh_from_db()
    assert member.can_manage_service


def test_permissions_change_and_removal_are_audited(manager_client, team_service):
    colleague = factories.user()
    member = service_actions.member_add(
        service=team_service, user=colleague, permissions=["view_activity"]
    )

    manager_client.post(
        reverse("services:member-permissions", args=[team_service.id, member.id]),
        {"permissions": ["view_activity", "send_messages"]},
    )
    manager_client.post(
        reverse("services:member-remove", args=[team_service.id, member.id])
    )

    actions = set(
        AuditEvent.objects.filter(service=team_service).values_list("action", flat=True)
    )
    assert {AuditAction.PERMISSIONS_CHANGED, AuditAction.MEMBER_REMOVED} <= actions
    assert not team_service.members.filter(user=colleague).exists()


def test_guest_list_refuses_a_bad_recipient_in_french(manager_client, team_service):
    url = reverse("services:guest-add", args=[team_service.id])

    bad = manager_client.post(url, {"recipient": "n’importe quoi"})
    manager_client.post(url, {"recipient": "06 12 34 56 78"})

    assert field_error(bad, "numéro de mobile valide")
    assert team_service.guest_list.get().normalised_recipient == "+33612345678"


def test_settings_refuse_retention_outside_3_to_90_days(manager_client, team_service):
    response = manager_client.post(
        reverse("services:settings", args=[team_service.id]),
        {
            "name": team_service.name,
            "organisation_name": "Préfecture",
            "branding": "neutral",
            "email_retention_days": 2,
            "sms_retention_days": 7,
        },
    )

    assert field_error(response, "supérieure ou égale à 3")


def test_settings_change_is_saved_and_audited(manager_client, team_service):
    manager_client.post(
        reverse("services:settings", args=[team_service.id]),
        {
            "name": "Nouveau nom",
            "organisation_name": "Préfecture",
            "email_sender_name": "Préfecture du Rhône",
            "branding": "neutral",
            "email_retention_days": 30,
            "sms_retention_days": 7,
        },
    )

    team_service.refresh_from_db()
    assert (team_service.name, team_service.email_retention_days) == ("Nouveau nom", 30)
    event = AuditEvent.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert "email_retention_days" in event.data["fields"]


def test_go_live_request_once_then_pending(manager_client, team_service):
    url = reverse("services:go-live", args=[team_service.id])
    data = {
        "organisation_name": "Préfecture",
        "purpose": "Rappels de rendez-vous",
        "expected_email_volume": 1000,
        "expected_sms_volume": 500,
        "confirm": "on",
    }

    manager_client.post(url, data)
    again = manager_client.post(url, data)

    assert GoLiveRequest.objects.filter(service=team_service).count() == 1
    assert "déjà en attente" in again.content.decode()


def test_audit_trail_is_for_managers_only(manager_client, team_service):
    reader = factories.user()
    service_actions.member_add(
        service=team_service, user=reader, permissions=["view_activity"]
    )
    url = reverse("services:audit", args=[team_service.id])

    assert manager_client.get(url).status_code == 200
    assert verified_client(reader).get(url).status_code == 403


def test_stored_xss_in_names_bodies_and_personalisation_is_inert(
    manager_client, team_service
):
    template = factories.email_template(
        service=team_service, name=XSS, subject=f"Objet {XSS}", body=f"((name)) {XSS}"
    )
    notification = _notification(
        team_service, template, personalisation={"name": XSS, "reference": "r"}
    )
    s = team_service.id
    pages = [
        reverse("templates_app:template-list", args=[s]),
        reverse("templates_app:template-detail", args=[s, template.id]),
        reverse("templates_app:template-update", args=[s, template.id]),
        reverse("templates_app:versions", args=[s, template.id]),
        reverse("templates_app:version-document", args=[s, template.id, 1]),
        reverse("templates_app:template-copy", args=[s, template.id]),
        reverse("templates_app:template-list", args=[s]) + "?q=%3Cscript%3E",
        reverse("notifications:send-choose", args=[s]),
        reverse("notifications:send", args=[s, template.id]),
        reverse("notifications:activity", args=[s]),
        reverse("notifications:notification-detail", args=[s, notification.id]),
        reverse("notifications:dashboard", args=[s]),
    ]

    for url in pages:
        html = manager_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html, url
        assert "<img src=x onerror" not in html, url
