"""The "Envoyer" screen sends through the API's accept action: its refusals
are shown in French at their field (or in the error summary), never in
English and never as a 500; its sends count in the API's daily limits."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from notifications.models import Notification
from services import actions as service_actions
from services.models import Invitation
from templates_app import actions as template_actions
from tests import factories

from .conftest import verified_client

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(r"Exceeded|Can’t send|not valid|Template|Missing|Cannot send")


def field_error(response, field: str, text: str) -> bool:
    """``text`` is shown in the DSFR error state of ``field``'s group."""
    html = response.content.decode()
    groups = html.split('<div class="fr-input-group')[1:]
    return any(
        group.startswith(" fr-input-group--error")
        and f'id="id_{field}"' in group
        and text in group
        for group in groups
    )


def summary_error(response, text: str) -> bool:
    html = response.content.decode()
    summary = re.search(r'id="resume-erreurs".*?</div>', html, re.S)
    return summary is not None and text in summary.group(0)


def send_url(service, template) -> str:
    return reverse("notifications:send", args=[service.id, template.id])


def go_live(service) -> None:
    service.restricted = False
    service.save()


def post_email(client, service, template, recipient="usager@example.org", **data):
    return client.post(
        send_url(service, template),
        {"recipient": recipient, "field_0": "Camille", "field_1": "A-42", **data},
    )


def test_send_stores_the_user_and_redirects_to_the_notification(
    manager_client, manager, team_service
):
    go_live(team_service)
    template = factories.email_template(service=team_service)

    response = post_email(manager_client, team_service, template)

    notification = Notification.objects.get(service=team_service)
    assert response["Location"] == reverse(
        "notifications:notification-detail", args=[team_service.id, notification.id]
    )
    assert (notification.created_by, notification.key_type) == (manager, "normal")
    assert notification.personalisation == {"name": "Camille", "reference": "A-42"}


def test_bad_address_is_refused_at_the_recipient_field_in_french(
    manager_client, team_service
):
    go_live(team_service)
    template = factories.email_template(service=team_service)

    response = post_email(manager_client, team_service, template, "pas-une-adresse")

    assert response.status_code == 200
    assert field_error(response, "recipient", "L’adresse électronique n’est pas")
    assert not field_error(response, "field_0", "L’adresse électronique n’est pas")
    assert summary_error(response, "L’adresse électronique n’est pas")
    assert not ENGLISH.search(response.content.decode())
    assert not Notification.objects.exists()


def test_trial_mode_is_refused_at_the_recipient_field(manager_client, team_service):
    template = factories.email_template(service=team_service)

    response = post_email(manager_client, team_service, template, "inconnu@example.fr")

    assert field_error(response, "recipient", "En mode d’essai, vous ne pouvez")
    assert not ENGLISH.search(response.content.decode())


def test_international_sms_not_allowed_is_refused_at_the_recipient_field(
    manager_client, team_service
):
    go_live(team_service)
    template = factories.sms_template(service=team_service)

    response = manager_client.post(
        send_url(team_service, template),
        {"recipient": "+32 470 12 34 56", "field_0": "4242"},
    )

    assert field_error(response, "recipient", "pas autorisé à envoyer des SMS vers")
    assert not Notification.objects.exists()


def test_daily_limit_is_shared_with_the_api_and_refused_in_french(
    manager_client, team_service, django_capture_on_commit_callbacks
):
    go_live(team_service)
    team_service.email_daily_limit = 1
    team_service.save()
    template = factories.email_template(service=team_service)
    key = factories.api_key(service=team_service)
    api_body = {
        "template_id": str(template.id),
        "email_address": "usager@example.org",
        "personalisation": {"name": "Camille", "reference": "A-1"},
    }
    with django_capture_on_commit_callbacks(execute=True):
        api = manager_client.post(
            "/v2/notifications/email",
            api_body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"ApiKey-v1 {key.key_string}",
        )

    response = post_email(manager_client, team_service, template)

    assert api.status_code == 201
    assert summary_error(response, "limite de 1 email par jour")
    assert not ENGLISH.search(response.content.decode())
    assert Notification.objects.count() == 1


def test_back_office_sends_count_in_the_api_daily_limit(
    manager_client, team_service, django_capture_on_commit_callbacks
):
    go_live(team_service)
    team_service.email_daily_limit = 1
    team_service.save()
    template = factories.email_template(service=team_service)
    key = factories.api_key(service=team_service)

    with django_capture_on_commit_callbacks(execute=True):
        post_email(manager_client, team_service, template)
    api = manager_client.post(
        "/v2/notifications/email",
        {
            "template_id": str(template.id),
            "email_address": "usager@example.org",
            "personalisation": {"name": "Camille", "reference": "A-1"},
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"ApiKey-v1 {key.key_string}",
    )

    assert api.status_code == 429
    assert api.json()["errors"][0]["message"] == (
        "Exceeded send limits (email: 1) for today"
    )


def test_template_archived_while_filling_the_form_is_refused_in_french(
    manager_client, team_service
):
    go_live(team_service)
    template = factories.email_template(service=team_service)
    assert manager_client.get(send_url(team_service, template)).status_code == 200
    template_actions.template_archive(template=template)

    response = post_email(manager_client, team_service, template)

    assert response.status_code == 200
    assert summary_error(response, "Ce modèle a été archivé")
    assert manager_client.get(send_url(team_service, template)).status_code == 404
    assert not Notification.objects.exists()


def test_template_edited_while_filling_the_form_asks_for_its_new_placeholder(
    manager_client, team_service
):
    go_live(team_service)
    template = factories.email_template(service=team_service)
    template_actions.template_update(
        template=template, body="Dossier ((reference)), rendez-vous le ((date))."
    )

    # The form as the user saw it before the edit: no field for ((date)).
    response = post_email(manager_client, team_service, template)

    assert field_error(response, "field_2", "Ce champ est obligatoire.")
    assert not Notification.objects.exists()


def test_sms_template_with_an_over_long_message_is_refused_in_french(
    manager_client, team_service
):
    go_live(team_service)
    template = factories.sms_template(service=team_service, body="((code))")

    response = manager_client.post(
        send_url(team_service, template),
        {"recipient": "06 12 34 56 78", "field_0": "x" * 1000},
    )

    assert summary_error(response, "Le SMS est trop long : 1000 caractères")
    assert not ENGLISH.search(response.content.decode())


def test_a_chosen_reply_to_address_is_used(manager_client, team_service):
    go_live(team_service)
    service_actions.reply_to_address_add(
        service=team_service, email_address="accueil@prefecture.gouv.fr"
    )
    other = service_actions.reply_to_address_add(
        service=team_service, email_address="dossiers@prefecture.gouv.fr"
    )
    template = factories.email_template(service=team_service)

    page = manager_client.get(send_url(team_service, template)).content.decode()
    post_email(manager_client, team_service, template, reply_to=str(other.id))

    assert "Adresse de réponse" in page
    assert page.index("accueil@prefecture") < page.index("dossiers@prefecture")
    assert Notification.objects.get().reply_to == "dossiers@prefecture.gouv.fr"


def test_a_single_reply_to_address_needs_no_choice(manager_client, team_service):
    go_live(team_service)
    service_actions.reply_to_address_add(
        service=team_service, email_address="accueil@prefecture.gouv.fr"
    )
    template = factories.email_template(service=team_service)

    page = manager_client.get(send_url(team_service, template)).content.decode()
    post_email(manager_client, team_service, template)

    assert "Adresse de réponse" not in page
    assert Notification.objects.get().reply_to == "accueil@prefecture.gouv.fr"


def test_a_simulated_recipient_is_checked_but_neither_stored_nor_sent(
    manager_client, team_service
):
    go_live(team_service)
    template = factories.sms_template(service=team_service)
    url = send_url(team_service, template)

    response = manager_client.post(
        url, {"recipient": "06 39 98 00 00", "field_0": "4242"}, follow=True
    )

    assert response.redirect_chain == [(url, 302)]
    assert "destinataire de test" in response.content.decode()
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("06 12 34 56 78", "+33 6 12 34 56 78"),
        ("+33 6 12 34 56 78", "06.12.34.56.78"),
    ],
)
def test_trial_mode_sms_to_a_member_number_in_any_french_form(
    manager_client, manager, team_service, stored, typed
):
    manager.mobile_number = stored
    manager.save()
    template = factories.sms_template(service=team_service)

    typed_response = manager_client.post(
        send_url(team_service, template), {"recipient": typed, "field_0": "4242"}
    )
    myself = manager_client.post(
        send_url(team_service, template), {"field_0": "4242", "to_myself": "1"}
    )

    assert typed_response.status_code == myself.status_code == 302
    numbers = Notification.objects.values_list("normalised_recipient", flat=True)
    assert list(numbers) == ["+33612345678", "+33612345678"]


def test_a_colleague_number_counts_as_the_team_in_trial_mode(team_service):
    colleague = get_user_model().objects.create_user(
        email="nina@example.gouv.fr", password="x", mobile_number="0612345678"
    )
    service_actions.member_add(
        service=team_service, user=colleague, permissions=["send_messages"]
    )
    template = factories.sms_template(service=team_service)

    response = verified_client(colleague).post(
        send_url(team_service, template),
        {"recipient": "+33 6 12 34 56 78", "field_0": "4242"},
    )

    assert response.status_code == 302
    assert Notification.objects.get().created_by == colleague


# The platform's emails -----------------------------------------------------


def test_invitation_refused_by_the_platform_is_not_kept_and_says_why(
    manager_client, team_service, settings, django_capture_on_commit_callbacks
):
    settings.PLATFORM_EMAIL_DAILY_LIMIT = 1
    url = reverse("services:invite", args=[team_service.id])
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(url, {"email": "premier@example.gouv.fr"})

    response = manager_client.post(url, {"email": "second@example.gouv.fr"})

    assert response.status_code == 200
    assert field_error(response, "email", "limite d’emails pour aujourd’hui")
    emails = Invitation.objects.values_list("email", flat=True)
    assert list(emails) == ["premier@example.gouv.fr"]


def test_password_reset_refused_by_the_platform_answers_the_same(
    manager, settings, client, django_capture_on_commit_callbacks
):
    settings.PLATFORM_EMAIL_DAILY_LIMIT = 1
    url = reverse("signin:password-reset")
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"email": manager.email})

    second = client.post(url, {"email": manager.email})

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Notification.objects.count() == 1
