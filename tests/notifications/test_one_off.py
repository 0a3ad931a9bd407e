"""Sends by hand and the platform's emails go through the API's accept
action: each refusal keeps Notify's English text for the API and carries a
French twin and the form field it concerns; daily limits are counted in the
same Redis counters as the API's."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.api import ApiError, exception_handler
from notifications import actions, limits
from notifications.models import Notification
from services import actions as service_actions
from templates_app import actions as template_actions
from tests import factories

from .conftest import OUTSIDER_EMAIL, TEAM_EMAIL, email_body, errors, sms_body

pytestmark = pytest.mark.django_db

EMAIL_VALUES = {"name": "Camille", "reference": "A-12"}


def _send(service, template, **overrides):
    arguments = {
        "service_id": service.id,
        "channel": template.channel,
        "template_id": template.id,
        "recipient": "usager@example.org"
        if template.channel == "email"
        else "06 12 34 56 78",
        "personalisation": EMAIL_VALUES
        if template.channel == "email"
        else {"code": "4242"},
    }
    arguments.update(overrides)
    return actions.notification_send_one_off(**arguments)


def _refusal(service, template, **overrides) -> ApiError:
    with pytest.raises(ApiError) as refused:
        _send(service, template, **overrides)
    return refused.value


@pytest.mark.parametrize(
    ("change", "message", "french", "field"),
    [
        (
            {"template_id": uuid.UUID(int=7)},
            "Template not found",
            "Ce modèle n’existe pas dans ce service.",
            "template",
        ),
        (
            {"channel": "sms"},
            "email template is not suitable for sms notification",
            "Ce modèle ne peut pas servir à envoyer des SMS.",
            "template",
        ),
        (
            {"personalisation": {"name": "Camille"}},
            "Missing personalisation: reference",
            "Des champs ne sont pas remplis : reference.",
            "personalisation",
        ),
        (
            {"personalisation": {**EMAIL_VALUES, "fichier": {"file": "UEsDBA=="}}},
            None,
            "L’envoi de fichiers par email n’est pas proposé.",
            "personalisation",
        ),
        (
            {"reply_to_id": uuid.UUID(int=9)},
            None,
            "Cette adresse de réponse n’existe pas ou a été supprimée.",
            "reply_to",
        ),
        (
            {"recipient": "pas-une-adresse"},
            "Not a valid email address",
            "L’adresse électronique n’est pas valide. Le format attendu est : "
            "nom@domaine.fr",
            "recipient",
        ),
        (
            {"recipient": "a" * 320 + "@example.org"},
            "Not a valid email address",
            "L’adresse électronique n’est pas valide. Le format attendu est : "
            "nom@domaine.fr",
            "recipient",
        ),
    ],
)
def test_email_refusals_carry_a_french_message_and_their_field(
    service, email_template, change, message, french, field
):
    refusal = _refusal(service, email_template, **change)

    assert refusal.french_message == french
    assert refusal.field == field
    if message is not None:
        assert refusal.message == message


def test_archived_template_is_refused_in_french(service, email_template):
    template_actions.template_archive(template=email_template)

    refusal = _refusal(service, email_template)

    assert refusal.message == "Template has been deleted"
    assert refusal.french_message == "Ce modèle a été archivé : il ne peut plus servir."
    assert refusal.field == "template"


@pytest.mark.parametrize(
    ("body", "values", "message", "french"),
    [
        ("((code))", {"code": " "}, "Your message is empty.", "Le message est vide."),
        (
            "((code))",
            {"code": "x" * 919},
            "Your message is too long. Text messages cannot be longer than 918 "
            "characters. Your message is 919 characters long.",
            "Le SMS est trop long : 919 caractères, pour 918 au plus.",
        ),
        (
            "((code))",
            {"code": {"file": "UEsDBA=="}},
            "Can only send a file by email",
            "Seul un email peut contenir un fichier.",
        ),
    ],
)
def test_rendering_refusals_take_the_template_language_french(
    service, body, values, message, french
):
    template = factories.sms_template(service=service, body=body)

    refusal = _refusal(service, template, personalisation=values)

    assert (refusal.message, refusal.french_message) == (message, french)
    assert refusal.field == "personalisation"


@pytest.mark.parametrize(
    ("number", "error", "french"),
    [
        ("06 12 34", "InvalidPhoneError", "Le numéro ne contient pas assez de"),
        ("01 23 45 67 89", "InvalidPhoneError", "Ce numéro n’est pas un numéro de"),
        ("+32 470 12 34 56", "BadRequestError", "Ce service n’est pas autorisé"),
        ("0" * 321, "InvalidPhoneError", "Le numéro contient trop de chiffres."),
    ],
)
def test_phone_refusals_are_at_the_recipient_field(service, number, error, french):
    template = factories.sms_template(service=service)

    refusal = _refusal(service, template, recipient=number)

    assert refusal.error == error
    assert refusal.french_message.startswith(french)
    assert refusal.field == "recipient"


def test_service_without_the_channel_is_refused_in_french(service, email_template):
    service.can_send_email = False
    service.save()

    refusal = _refusal(service, email_template)

    assert refusal.message == "Service is not allowed to send emails"
    assert (
        refusal.french_message == "Ce service n’est pas autorisé à envoyer des emails."
    )
    assert refusal.field is None


def test_suspended_or_unknown_service_cannot_send(service, email_template):
    missing = _refusal(service, email_template, service_id=uuid.UUID(int=3))
    service.active = False
    service.save()

    suspended = _refusal(service, email_template)

    assert missing.french_message == "Ce service n’existe pas."
    assert suspended.french_message.startswith("Ce service est suspendu")
    assert not Notification.objects.exists()


def test_trial_mode_refuses_outsiders_in_french(service, email_template, team_member):
    service.restricted = True
    service.save()

    _send(service, email_template, recipient=TEAM_EMAIL.upper())
    refusal = _refusal(service, email_template, recipient=OUTSIDER_EMAIL)

    assert "trial mode" in refusal.message
    assert refusal.french_message.startswith("En mode d’essai, vous ne pouvez")
    assert refusal.field == "recipient"


def test_trial_mode_is_ignored_only_when_asked(service, email_template):
    service.restricted = True
    service.save()

    _send(service, email_template, recipient=OUTSIDER_EMAIL, ignore_trial_mode=True)

    assert Notification.objects.get().normalised_recipient == OUTSIDER_EMAIL


def test_team_key_refusal_has_a_french_twin(service, email_template):
    snapshot = actions.Sender(
        service=_snapshot(service), key_type="team", api_key_id=None
    )

    with pytest.raises(ApiError) as refused:
        actions.notification_accept(
            sender=snapshot,
            channel="email",
            template_id=email_template.id,
            recipient=OUTSIDER_EMAIL,
            personalisation=EMAIL_VALUES,
        )

    assert refused.value.message.startswith("Can’t send to this recipient using")
    assert refused.value.french_message.startswith("Avec une clé d’équipe")


def _snapshot(service):
    from notifications import cache

    return cache.service_get(service.id)


def test_chosen_reply_to_is_stored(service, email_template):
    service_actions.reply_to_address_add(
        service=service, email_address="accueil@prefecture.gouv.fr"
    )
    other = service_actions.reply_to_address_add(
        service=service, email_address="dossiers@prefecture.gouv.fr"
    )

    default = _send(service, email_template)
    chosen = _send(service, email_template, reply_to_id=other.id)

    stored = Notification.objects.in_bulk([default.id, chosen.id])
    assert stored[default.id].reply_to == "accueil@prefecture.gouv.fr"
    assert stored[chosen.id].reply_to == "dossiers@prefecture.gouv.fr"


def test_simulated_recipient_is_accepted_but_not_stored(service, sms_template):
    accepted = _send(service, sms_template, recipient="06 39 98 00 00")

    assert accepted.simulated
    assert not Notification.objects.exists()


def test_warm_one_off_send_costs_one_insert_and_one_publish(
    service, email_template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _send(service, email_template)

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks() as callbacks,
    ):
        _send(service, email_template)

    statements = [query["sql"] for query in queries]
    assert len(statements) == 1
    assert statements[0].startswith('INSERT INTO "notifications_notification"')
    assert len(callbacks) == 1


# Daily limits: one set of counters -----------------------------------------


def test_one_off_sends_count_in_the_api_daily_limit(
    service, email_template, live, django_capture_on_commit_callbacks
):
    service.email_daily_limit = 1
    service.save()

    with django_capture_on_commit_callbacks(execute=True):
        _send(service, email_template)
    response = live.post("/v2/notifications/email", email_body(email_template))

    assert response.status_code == 429
    assert errors(response) == [
        ("TooManyRequestsError", "Exceeded send limits (email: 1) for today")
    ]


def test_api_sends_count_in_the_one_off_daily_limit(
    service, email_template, live, django_capture_on_commit_callbacks
):
    service.email_daily_limit = 1
    service.save()

    with django_capture_on_commit_callbacks(execute=True):
        assert live.post("/v2/notifications/email", email_body(email_template))
    refusal = _refusal(service, email_template)

    assert refusal.http_status == 429
    assert refusal.french_message == (
        "Ce service a atteint sa limite de 1 email par jour. Réessayez demain, "
        "après minuit."
    )
    assert Notification.objects.count() == 1


def test_daily_limit_is_checked_first_as_in_the_api(service, email_template):
    # Notify's order: the daily limit wins over a bad recipient.
    service.email_daily_limit = 0
    service.save()

    refusal = _refusal(service, email_template, recipient="pas-une-adresse")

    assert refusal.http_status == 429
    assert refusal.field is None


def test_international_daily_limit_has_a_french_twin(
    service, django_capture_on_commit_callbacks
):
    service.can_send_international_sms = True
    service.international_sms_daily_limit = 1
    service.save()
    template = factories.sms_template(service=service)

    with django_capture_on_commit_callbacks(execute=True):
        _send(service, template, recipient="+32 470 12 34 56")
    refusal = _refusal(service, template, recipient="+32 470 12 34 57")

    assert refusal.message == "Exceeded send limits (international_sms: 1) for today"
    assert "1 SMS vers l’étranger par jour" in refusal.french_message


def test_daily_limit_french_writes_thousands_the_french_way():
    french = limits._daily_limit_french(50_000, "email")

    assert "limite de 50\u202f000 emails par jour" in french


def test_api_output_never_shows_the_french_message():
    error = ApiError("Template not found", french_message="Ce modèle…", field="x")

    response = exception_handler(error, {})

    assert response.data == {
        "status_code": 400,
        "errors": [{"error": "BadRequestError", "message": "Template not found"}],
    }


# Team members' mobile numbers -----------------------------------------------


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("06 12 34 56 78", "+33 6 12 34 56 78"),
        ("06.12.34.56.78", "0612345678"),
        ("+33 (0)6 12 34 56 78", "06 12 34 56 78"),
        ("+33612345678", "0033 6 12 34 56 78"),
        ("0612345678", "+33612345678"),
    ],
)
def test_trial_mode_sms_reaches_a_member_number_written_in_any_french_form(
    service, live, stored, typed
):
    template = factories.sms_template(service=service)
    service.restricted = True
    service.save()
    member = factories.user(mobile_number=stored)
    service_actions.member_add(service=service, user=member, permissions=[])

    api = live.post("/v2/notifications/sms", sms_body(template, phone_number=typed))
    by_hand = _send(service, template, recipient=typed)

    assert api.status_code == 201, api.json()
    stored_numbers = Notification.objects.values_list("normalised_recipient", flat=True)
    assert set(stored_numbers) == {"+33612345678"}
    assert Notification.objects.filter(id=by_hand.id).exists()


def test_member_number_change_reaches_the_trial_mode_check_at_once(service):
    template = factories.sms_template(service=service)
    service.restricted = True
    service.save()
    member = factories.user(mobile_number="06 11 11 11 11")
    service_actions.member_add(service=service, user=member, permissions=[])
    assert _refusal(service, template, recipient="06 12 34 56 78").field == (
        "recipient"
    )

    member.mobile_number = "06 12 34 56 78"
    member.save()

    assert _send(service, template, recipient="+33 6 12 34 56 78")
