"""The settings page: reply-to addresses and SMS senders (make default,
remove), the go-live request's outcome, the limits and today's usage."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from services import actions as service_actions
from services.models import (
    AuditAction,
    AuditEvent,
    GoLiveRequest,
    GoLiveStatus,
    ReplyToAddress,
    Service,
    SmsSender,
    User,
)
from tests import factories

from .conftest import verified_client

pytestmark = pytest.mark.django_db


def _settings(client, service) -> str:
    return client.get(reverse("services:settings", args=[service.id])).content.decode()


def _changes(service) -> list[str]:
    events = AuditEvent.objects.filter(
        service=service, action=AuditAction.SETTINGS_CHANGED
    ).order_by("id")
    return [event.data.get("change") for event in events]


def test_sms_sender_can_be_made_default_and_the_old_one_removed(
    manager_client, team_service
):
    first = service_actions.sms_sender_add(service=team_service, sms_sender="MAIRIE")
    second = service_actions.sms_sender_add(service=team_service, sms_sender="RDV")
    s = team_service.id

    manager_client.post(reverse("services:sms-sender-default", args=[s, second.id]))
    response = manager_client.post(
        reverse("services:sms-sender-archive", args=[s, first.id])
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert response.status_code == 302
    assert second.is_default and not second.archived
    assert first.archived and not first.is_default
    assert _changes(team_service) == ["sms_sender_made_default", "sms_sender_removed"]
    page = _settings(manager_client, team_service)
    assert "RDV" in page and "MAIRIE" not in page


def test_the_default_sms_sender_is_never_removed(manager_client, team_service):
    only = service_actions.sms_sender_add(service=team_service, sms_sender="MAIRIE")
    url = reverse("services:sms-sender-archive", args=[team_service.id, only.id])

    asked = manager_client.get(url)
    refused = manager_client.post(url)

    only.refresh_from_db()
    assert asked.status_code == 200 and "Retirer l’expéditeur" in asked.content.decode()
    assert refused.status_code == 200
    assert "choisissez d’abord un autre expéditeur" in refused.content.decode()
    assert only.is_default and not only.archived
    assert _changes(team_service) == []


def test_settings_page_offers_actions_only_where_they_are_allowed(
    manager_client, team_service
):
    default = service_actions.sms_sender_add(service=team_service, sms_sender="MAIRIE")
    other = service_actions.sms_sender_add(service=team_service, sms_sender="RDV")
    s = team_service.id

    page = _settings(manager_client, team_service)

    assert reverse("services:sms-sender-archive", args=[s, other.id]) in page
    assert reverse("services:sms-sender-default", args=[s, other.id]) in page
    assert reverse("services:sms-sender-archive", args=[s, default.id]) not in page
    assert reverse("services:sms-sender-default", args=[s, default.id]) not in page


def test_reply_to_default_moves_and_the_default_waits_for_another(
    manager_client, team_service
):
    first = service_actions.reply_to_address_add(
        service=team_service, email_address="accueil@example.gouv.fr"
    )
    second = service_actions.reply_to_address_add(
        service=team_service, email_address="rdv@example.gouv.fr"
    )
    s = team_service.id

    refused = manager_client.post(
        reverse("services:reply-to-archive", args=[s, first.id])
    )
    manager_client.post(reverse("services:reply-to-default", args=[s, second.id]))
    manager_client.post(reverse("services:reply-to-archive", args=[s, first.id]))

    first.refresh_from_db()
    second.refresh_from_db()
    assert "choisissez d’abord une autre adresse" in refused.content.decode()
    assert second.is_default and first.archived
    assert _changes(team_service) == ["reply_to_made_default", "reply_to_removed"]
    assert ReplyToAddress.objects.filter(
        service=team_service, is_default=True, archived=False
    ).get() == (second)


def test_the_last_reply_to_address_may_be_removed(manager_client, team_service):
    only = service_actions.reply_to_address_add(
        service=team_service, email_address="accueil@example.gouv.fr"
    )

    manager_client.post(
        reverse("services:reply-to-archive", args=[team_service.id, only.id])
    )

    only.refresh_from_db()
    assert only.archived
    assert "les réponses ne sont pas reçues" in _settings(manager_client, team_service)


def test_confirmation_pages_link_back_to_the_settings(manager_client, team_service):
    sender = service_actions.sms_sender_add(service=team_service, sms_sender="MAIRIE")
    other = service_actions.sms_sender_add(service=team_service, sms_sender="RDV")
    settings_url = reverse("services:settings", args=[team_service.id])

    for name, target in [
        ("services:sms-sender-default", other),
        ("services:sms-sender-archive", sender),
    ]:
        page = manager_client.get(reverse(name, args=[team_service.id, target.id]))
        html = page.content.decode()
        assert f'href="{settings_url}"' in html and "Annuler" in html, name


def test_a_default_change_reaches_the_api_cache(manager_client, team_service):
    from notifications import cache

    service_actions.sms_sender_add(service=team_service, sms_sender="MAIRIE")
    other = service_actions.sms_sender_add(service=team_service, sms_sender="RDV")
    assert cache.service_get(str(team_service.id)).default_sms_sender == "MAIRIE"

    manager_client.post(
        reverse("services:sms-sender-default", args=[team_service.id, other.id])
    )

    assert cache.service_get(str(team_service.id)).default_sms_sender == "RDV"
    assert SmsSender.objects.filter(service=team_service, is_default=True).count() == 1


def _go_live_request(client, service) -> GoLiveRequest:
    client.post(
        reverse("services:go-live", args=[service.id]),
        {
            "organisation_name": "Préfecture",
            "purpose": "Rappels de rendez-vous",
            "expected_email_volume": 1000,
            "expected_sms_volume": 500,
            "confirm": "on",
        },
    )
    return GoLiveRequest.objects.get(service=service)


def test_a_refused_go_live_request_shows_the_operators_note(
    manager_client, team_service
):
    go_live = _go_live_request(manager_client, team_service)
    operator = User.objects.create_superuser(
        email="operateur@example.gouv.fr", password="une phrase de passe solide"
    )
    admin = verified_client(operator)
    changelist = reverse("admin:services_goliverequest_changelist")
    selection = {"action": "refuse", "_selected_action": [str(go_live.id)]}

    asked = admin.post(changelist, selection)
    admin.post(
        changelist,
        {**selection, "apply": "1", "note": "Précisez le <b>volume</b> de SMS."},
    )

    go_live.refresh_from_db()
    assert asked.status_code == 200 and "Motif du refus" in asked.content.decode()
    assert go_live.status == GoLiveStatus.REFUSED
    assert go_live.decision_note == "Précisez le <b>volume</b> de SMS."
    page = _settings(manager_client, team_service)
    assert "Demande de passage en production refusée" in page
    assert "Précisez le &lt;b&gt;volume&lt;/b&gt; de SMS." in page
    assert "Faire une nouvelle demande" in page


def test_the_admin_refusal_wants_a_note(manager_client, team_service):
    go_live = _go_live_request(manager_client, team_service)
    operator = User.objects.create_superuser(
        email="operateur@example.gouv.fr", password="une phrase de passe solide"
    )
    changelist = reverse("admin:services_goliverequest_changelist")

    response = verified_client(operator).post(
        changelist,
        {
            "action": "refuse",
            "_selected_action": [str(go_live.id)],
            "apply": "1",
            "note": " ",
        },
    )

    go_live.refresh_from_db()
    assert response.status_code == 200
    assert go_live.status == GoLiveStatus.PENDING


def test_a_pending_go_live_request_is_shown_and_not_offered_again(
    manager_client, team_service
):
    _go_live_request(manager_client, team_service)

    page = _settings(manager_client, team_service)

    assert "l’équipe de la plateforme l’examine" in page
    assert reverse("services:go-live", args=[team_service.id]) not in page


SETTINGS_FORM = {
    "name": "Rendez-vous en préfecture",
    "organisation_name": "Préfecture du Rhône",
    "branding": "state",
    "email_retention_days": 7,
    "sms_retention_days": 7,
}


def test_the_sms_prefix_is_a_setting_saved_and_audited(manager_client, team_service):
    url = reverse("services:settings", args=[team_service.id])

    form = manager_client.get(url).content.decode()
    manager_client.post(url, {**SETTINGS_FORM, "sms_prefix": "on"})

    team_service.refresh_from_db()
    assert 'name="sms_prefix"' in form
    assert team_service.sms_prefix
    event = AuditEvent.objects.get(action=AuditAction.SETTINGS_CHANGED)
    assert event.data["fields"] == ["sms_prefix"]


def _usage_row(page: str, label: str) -> list[str]:
    row = re.search(rf"<tr><td>{label}</td>(.*?)</tr>", page).group(1)
    return re.findall(r"<td>([^<]*)</td>", row)


def test_settings_show_todays_sends_against_each_daily_limit(
    manager_client, team_service
):
    Service.objects.filter(pk=team_service.pk).update(
        email_daily_limit=250_000,
        can_send_international_sms=True,
        international_sms_daily_limit=100,
    )
    email = factories.email_template(service=team_service)
    sms = factories.sms_template(service=team_service)
    for template, extra in [
        (email, {}),
        (email, {}),
        (email, {"key_type": "test"}),
        (email, {"created_at": timezone.now() - dt.timedelta(days=2)}),
        (sms, {"international": True}),
    ]:
        Notification.objects.create(
            service=team_service,
            template=template,
            template_version=template.versions.get(version=template.version),
            channel=template.channel,
            recipient="x",
            normalised_recipient="x",
            status="delivered",
            **extra,
        )

    page = _settings(manager_client, team_service)

    assert _usage_row(page, "Emails") == ["2", "250\xa0000"]
    assert _usage_row(page, "SMS") == ["1", "50"]
    assert _usage_row(page, "dont SMS vers l’étranger") == ["1", "100"]
    assert "3\xa0000 requêtes par minute" in page


def test_settings_say_when_international_sms_are_not_allowed(
    manager_client, team_service
):
    page = _settings(manager_client, team_service)

    assert _usage_row(page, "dont SMS vers l’étranger") == [
        "0",
        "Non autorisés pour ce service",
    ]
