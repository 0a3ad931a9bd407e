"""POST /v2/notifications/email: every field, rule and message of the
reference, and the order in which the checks run."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from notifications.models import Notification
from services import actions as service_actions
from services.models import Service
from templates_app import actions as template_actions
from tests import factories

from .conftest import (
    GUEST_EMAIL,
    OUTSIDER_EMAIL,
    TEAM_EMAIL,
    email_body,
    errors,
)

pytestmark = pytest.mark.django_db

PATH = "/v2/notifications/email"


def test_send_email_answers_201_with_notifys_body(live, email_template, service):
    response = live.post(PATH, email_body(email_template, reference="dossier-12"))

    domain = "notifications.beta.gouv.fr"
    assert response.status_code == 201
    data = response.json()
    notification = Notification.objects.get()
    assert data == {
        "id": str(notification.id),
        "reference": "dossier-12",
        "content": {
            "from_email": f"service.{service.name.split()[-1]}@{domain}",
            "body": "Votre dossier A-12 est complet.",
            "subject": "Bonjour Camille",
            "one_click_unsubscribe_url": None,
        },
        "uri": f"http://testserver/v2/notifications/{notification.id}",
        "template": {
            "id": str(email_template.id),
            "version": 1,
            "uri": f"http://testserver/services/{service.id}/templates/"
            f"{email_template.id}",
        },
        "scheduled_for": None,
        "sanitised_content": {},
    }


def test_send_email_stores_a_created_notification(live, email_template, live_key):
    live.post(PATH, email_body(email_template, email_address=" Usager@Example.org "))

    notification = Notification.objects.get()
    assert notification.status == "created"
    assert notification.channel == "email"
    assert notification.key_type == "normal"
    assert notification.api_key_id == live_key.api_key.id
    assert notification.recipient == "Usager@Example.org"
    assert notification.normalised_recipient == "usager@example.org"
    assert notification.personalisation == {"name": "Camille", "reference": "A-12"}
    assert notification.template_version.version == 1


def test_send_email_publishes_the_delivery_after_commit(
    live, email_template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = live.post(PATH, email_body(email_template))

    assert len(callbacks) == 1
    notification = Notification.objects.get(id=response.json()["id"])
    assert notification.status == "delivered"


def test_send_email_uses_the_base_url_setting_for_links(live, email_template, settings):
    settings.PUBLIC_API_BASE_URL = "https://api.notifications.example/"

    data = live.post(PATH, email_body(email_template)).json()

    assert data["uri"].startswith("https://api.notifications.example/v2/")
    assert data["template"]["uri"].startswith("https://api.notifications.example/s")


def test_send_email_uses_the_sender_name(live, email_template, service):
    service.email_sender_name = "Ministère de l'Intérieur"
    service.save()

    data = live.post(PATH, email_body(email_template)).json()

    assert data["content"]["from_email"] == (
        "ministere.de.linterieur@notifications.beta.gouv.fr"
    )


def test_send_email_pins_the_latest_template_version(live, email_template):
    template_actions.template_update(template=email_template, body="v2 ((name))")

    data = live.post(PATH, email_body(email_template)).json()

    assert data["template"]["version"] == 2
    assert data["content"]["body"] == "v2 Camille"


def test_send_email_ignores_the_content_type(live, email_template):
    import json

    body = json.dumps(email_body(email_template))

    response = live.post_raw(PATH, body, content_type="text/plain")

    assert response.status_code == 201


def test_send_email_refuses_invalid_json(live):
    response = live.post_raw(PATH, "{not json")

    assert response.status_code == 400
    assert errors(response) == [
        ("BadRequestError", "Invalid JSON supplied in POST data")
    ]


def test_send_email_reads_a_null_body_as_an_empty_object(live):
    response = live.post_raw(PATH, "null", content_type="application/json")

    assert errors(response) == [
        ("ValidationError", "email_address is a required property"),
        ("ValidationError", "template_id is a required property"),
    ]


def test_send_email_reports_every_schema_error(live):
    response = live.post(
        PATH,
        {
            "email_address": 12345,
            "template_id": "nope",
            "personalisation": "not_a_dict",
            "reference": 123,
            "foo": 1,
            "bar": 2,
        },
    )

    assert response.status_code == 400
    assert sorted(errors(response)) == sorted(
        [
            ("ValidationError", "reference 123 is not of type string"),
            ("ValidationError", "email_address 12345 is not of type string"),
            ("ValidationError", "template_id is not a valid UUID"),
            ("ValidationError", "personalisation not_a_dict is not of type object"),
            (
                "ValidationError",
                "Additional properties are not allowed (bar, foo were unexpected)",
            ),
        ]
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"email_address": "not-an-email"}, "email_address Not a valid email address"),
        ({"reference": "a" * 1001}, f"reference {'a' * 1001} is too long"),
        (
            {"one_click_unsubscribe_url": "http://example.org/u"},
            "one_click_unsubscribe_url is not a valid https url",
        ),
        (
            {"sanitise_content_for": "name"},
            "sanitise_content_for name is not of type array, null",
        ),
        ({"email_reply_to_id": "x"}, "email_reply_to_id is not a valid UUID"),
        (
            {"sms_sender_id": str(uuid.uuid4())},
            "Additional properties are not allowed (sms_sender_id was unexpected)",
        ),
        (
            {"scheduled_for": "tomorrow"},
            "scheduled_for datetime format is invalid. It must be a valid ISO8601 "
            "date time format, https://en.wikipedia.org/wiki/ISO_8601",
        ),
        (
            {"scheduled_for": "2001-01-01T10:00:00"},
            "scheduled_for datetime can not be in the past",
        ),
    ],
)
def test_send_email_refuses_a_bad_field(live, email_template, extra, message):
    response = live.post(PATH, email_body(email_template, **extra))

    assert response.status_code == 400
    assert errors(response) == [("ValidationError", message)]


@pytest.mark.parametrize("keys", [[1, None, {"a": "b"}, ["name"]], [], None])
def test_send_email_takes_any_items_in_sanitise_content_for(live, email_template, keys):
    """Notify's schema checks only that it is an array (or null)."""
    response = live.post(PATH, email_body(email_template, sanitise_content_for=keys))

    assert response.status_code == 201
    assert response.json()["sanitised_content"] == {}


def test_send_email_refuses_scheduled_for_beyond_a_day(live, email_template):
    later = (timezone.now() + dt.timedelta(days=2)).isoformat()

    response = live.post(PATH, email_body(email_template, scheduled_for=later))

    assert errors(response) == [
        ("ValidationError", "scheduled_for datetime can only be 24 hours in the future")
    ]


UTC_Z = "%Y-%m-%dT%H:%M:%SZ"
NO_OFFSET = "%Y-%m-%dT%H:%M:%S"
PARIS_SUMMER = dt.timezone(dt.timedelta(hours=2))


def _from_now(minutes: int, written: str | dt.timezone) -> str:
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)
    if isinstance(written, str):
        return moment.strftime(written)
    return moment.astimezone(written).isoformat()


@pytest.mark.parametrize(
    ("minutes", "written", "message"),
    [
        # No grace: a minute ago is in the past, as in Notify.
        (-1, UTC_Z, "can not be in the past"),
        # A time without an offset is UTC (it used to be read as Paris time).
        (24 * 60 + 30, NO_OFFSET, "can only be 24 hours in the future"),
        (-30, NO_OFFSET, "can not be in the past"),
        (-30, PARIS_SUMMER, "can not be in the past"),
    ],
)
def test_send_email_checks_scheduled_for_as_notify_does(
    live, email_template, minutes, written, message
):
    scheduled_for = _from_now(minutes, written)

    response = live.post(PATH, email_body(email_template, scheduled_for=scheduled_for))

    assert errors(response) == [
        ("ValidationError", f"scheduled_for datetime {message}")
    ]


@pytest.mark.parametrize(
    ("minutes", "written"),
    [
        (30, NO_OFFSET),
        (23 * 60, UTC_Z),
        # An offset is honoured: 23 hours from now, written in Paris time.
        (23 * 60, PARIS_SUMMER),
    ],
)
def test_send_email_accepts_scheduled_for_within_the_next_day(
    live, email_template, minutes, written
):
    scheduled_for = _from_now(minutes, written)

    response = live.post(PATH, email_body(email_template, scheduled_for=scheduled_for))

    assert response.status_code == 201


def test_send_email_accepts_a_null_scheduled_for(live, email_template):
    response = live.post(PATH, email_body(email_template, scheduled_for=None))

    assert response.status_code == 201


def test_send_email_accepts_and_ignores_scheduled_for(live, email_template):
    soon = (timezone.now() + dt.timedelta(hours=2)).isoformat()

    response = live.post(PATH, email_body(email_template, scheduled_for=soon))

    assert response.status_code == 201
    assert response.json()["scheduled_for"] is None


def test_send_email_echoes_the_unsubscribe_url(live, email_template):
    url = "https://example.org/unsubscribe/1"

    response = live.post(
        PATH, email_body(email_template, one_click_unsubscribe_url=url)
    )

    assert response.json()["content"]["one_click_unsubscribe_url"] == url
    assert Notification.objects.get().one_click_unsubscribe_url == url


def test_send_email_sanitises_the_named_personalisation(live, service):
    template = factories.email_template(
        service=service, subject="Objet", body="Hi ((name))"
    )
    value = "Amala, please [click this evil link](https://evil.link)"

    response = live.post(
        PATH,
        email_body(
            template, personalisation={"name": value}, sanitise_content_for=["NAME"]
        ),
    )

    data = response.json()
    assert response.status_code == 201
    sanitised = data["sanitised_content"]["name"]["sanitised"]
    assert data["sanitised_content"]["name"]["unsanitised"] == value
    assert "https://evil.link" not in sanitised
    assert "\\[" in sanitised
    assert data["content"]["body"] == f"Hi {sanitised}"
    assert Notification.objects.get().personalisation["name"] == sanitised


EVIL = "Amala, please [click this evil link](https://evil.link)"
EVIL_ESCAPED = "Amala, please \\[click this evil link\\]\\(\\)"
EVIL_SHOWN = "Amala, please [click this evil link]()"


def _sanitised_send(caller, service, django_capture_on_commit_callbacks):
    template = factories.email_template(
        service=service, subject="Objet ((name))", body="Bonjour ((name)) ((other))"
    )
    body = email_body(
        template,
        personalisation={"name": EVIL, "other": "a-b"},
        sanitise_content_for=["NAME", "other"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = caller.post(PATH, body)
    assert response.status_code == 201
    return response.json()


def test_send_email_delivers_sanitised_values_unescaped_and_inert(
    live, service, django_capture_on_commit_callbacks
):
    from providers import fake

    data = _sanitised_send(live, service, django_capture_on_commit_callbacks)

    [entry] = fake.outbox.for_notification(uuid.UUID(data["id"]))
    email = entry.message
    assert "\\" not in email.html_body + email.text_body + email.subject
    assert email.text_body == f"Bonjour {EVIL_SHOWN} a-b"
    assert email.subject == f"Objet {EVIL_SHOWN}"
    # Shown as text: no link, and the brackets are the visible characters.
    assert "evil.link" not in email.html_body
    assert "<a" not in email.html_body.split("Bonjour", 1)[1].split("</p>", 1)[0]
    assert "[click this evil link]()" in email.html_body
    notification = Notification.objects.get(id=data["id"])
    assert notification.sanitised_keys == ["name", "other"]
    assert notification.personalisation["name"] == EVIL_ESCAPED


def test_send_email_answers_the_same_subject_and_body_as_get_when_sanitised(
    live, service, django_capture_on_commit_callbacks
):
    created = _sanitised_send(live, service, django_capture_on_commit_callbacks)

    read = live.get(f"/v2/notifications/{created['id']}").json()

    # Notify sanitises before rendering: both show the escaped values.
    assert created["content"]["subject"] == f"Objet {EVIL_ESCAPED}"
    assert created["content"]["body"] == f"Bonjour {EVIL_ESCAPED} a\\-b"
    assert read["subject"] == created["content"]["subject"]
    assert read["body"] == created["content"]["body"]
    assert created["sanitised_content"] == {
        "name": {"unsanitised": EVIL, "sanitised": EVIL_ESCAPED},
        "other": {"unsanitised": "a-b", "sanitised": "a\\-b"},
    }


def test_send_email_refuses_when_the_service_may_not_send_emails(
    live, email_template, service
):
    service.can_send_email = False
    service.save()

    response = live.post(PATH, email_body(email_template))

    assert errors(response) == [
        ("BadRequestError", "Service is not allowed to send emails")
    ]


def test_send_email_refuses_an_unknown_template(live):
    response = live.post(PATH, email_body(type("T", (), {"id": uuid.uuid4()})))

    assert errors(response) == [("BadRequestError", "Template not found")]


def test_send_email_refuses_another_services_template(live, other_service):
    template = factories.email_template(service=other_service)

    response = live.post(PATH, email_body(template))

    assert response.status_code == 400
    assert errors(response) == [("BadRequestError", "Template not found")]
    assert "Bonjour" not in response.content.decode()


def test_send_email_refuses_an_sms_template(live, service):
    template = factories.sms_template(service=service)

    response = live.post(PATH, email_body(template))

    assert errors(response) == [
        ("BadRequestError", "sms template is not suitable for email notification")
    ]


def test_send_email_refuses_an_archived_template(live, email_template):
    template_actions.template_archive(template=email_template)

    response = live.post(PATH, email_body(email_template))

    assert errors(response) == [("BadRequestError", "Template has been deleted")]


def test_send_email_lists_missing_personalisation(live, email_template):
    response = live.post(
        PATH, email_body(email_template, personalisation={"Name": None})
    )

    assert errors(response) == [
        ("BadRequestError", "Missing personalisation: name, reference")
    ]


def test_send_email_matches_placeholders_insensitively(live, email_template):
    personalisation = {"NAME": "Camille", "Reference": "B-7"}

    response = live.post(
        PATH, email_body(email_template, personalisation=personalisation)
    )

    assert response.json()["content"]["subject"] == "Bonjour Camille"


def test_send_email_uses_the_reply_to_address_chosen(live, email_template, service):
    service_actions.reply_to_address_add(service=service, email_address="a@gouv.fr")
    chosen = service_actions.reply_to_address_add(
        service=service, email_address="b@gouv.fr"
    )

    response = live.post(
        PATH, email_body(email_template, email_reply_to_id=str(chosen.id))
    )

    assert response.status_code == 201
    assert Notification.objects.get().reply_to == "b@gouv.fr"


def test_send_email_uses_the_default_reply_to_address(live, email_template, service):
    service_actions.reply_to_address_add(service=service, email_address="a@gouv.fr")

    live.post(PATH, email_body(email_template))

    assert Notification.objects.get().reply_to == "a@gouv.fr"


def test_send_email_refuses_another_services_reply_to_address(
    live, email_template, service, other_service
):
    theirs = service_actions.reply_to_address_add(
        service=other_service, email_address="secret@autre.gouv.fr"
    )

    response = live.post(
        PATH, email_body(email_template, email_reply_to_id=str(theirs.id))
    )

    assert errors(response) == [
        (
            "BadRequestError",
            f"email_reply_to_id {theirs.id} does not exist in database for service "
            f"id {service.id}",
        )
    ]
    assert "secret@" not in response.content.decode()


def test_send_email_refuses_an_archived_reply_to_address(live, email_template, service):
    address = service_actions.reply_to_address_add(
        service=service, email_address="a@gouv.fr"
    )
    address.archived = True
    address.save()

    response = live.post(
        PATH, email_body(email_template, email_reply_to_id=str(address.id))
    )

    assert response.status_code == 400


@pytest.mark.parametrize("recipient", [TEAM_EMAIL, TEAM_EMAIL.upper(), GUEST_EMAIL])
def test_send_email_with_a_team_key_reaches_the_team_and_guest_list(
    team, email_template, team_member, recipient
):
    response = team.post(PATH, email_body(email_template, email_address=recipient))

    assert response.status_code == 201


def test_send_email_with_a_team_key_refuses_an_outsider(
    team, email_template, team_member
):
    response = team.post(PATH, email_body(email_template, email_address=OUTSIDER_EMAIL))

    assert response.status_code == 400
    assert errors(response) == [
        ("BadRequestError", "Can’t send to this recipient using a team-only API key")
    ]
    assert not Notification.objects.exists()


def test_send_email_in_trial_mode_refuses_an_outsider(
    live, email_template, service, team_member
):
    service.restricted = True
    service.save()

    response = live.post(PATH, email_body(email_template, email_address=OUTSIDER_EMAIL))

    assert errors(response) == [
        (
            "BadRequestError",
            "Can’t send to this recipient when service is in trial mode – see "
            "https://www.notifications.service.gov.uk/trial-mode",
        )
    ]


def test_send_email_in_trial_mode_reaches_the_team(
    live, email_template, service, team_member
):
    Service.objects.filter(id=service.id).update(restricted=True)
    service.save(update_fields=["updated_at"])

    response = live.post(PATH, email_body(email_template, email_address=TEAM_EMAIL))

    assert response.status_code == 201


def test_send_email_with_a_test_key_reaches_anyone_even_in_trial_mode(
    tester, email_template, service
):
    service.restricted = True
    service.save()

    response = tester.post(
        PATH, email_body(email_template, email_address=OUTSIDER_EMAIL)
    )

    assert response.status_code == 201
    assert Notification.objects.get().key_type == "test"


def test_send_email_to_a_simulated_address_is_answered_but_never_stored(
    live, email_template, django_capture_on_commit_callbacks
):
    address = "simulate-delivered@notifications.service.gov.uk"

    with django_capture_on_commit_callbacks() as callbacks:
        response = live.post(PATH, email_body(email_template, email_address=address))

    assert response.status_code == 201
    assert uuid.UUID(response.json()["id"])
    assert not Notification.objects.exists()
    assert callbacks == []
    assert live.get(f"/v2/notifications/{response.json()['id']}").status_code == 404


FILE_PERSONALISATION = {
    "name": {
        "file": "aGVsbG8=",
        "filename": None,
        "confirm_email_before_download": None,
        "retention_period": None,
    },
    "reference": "x",
}


def test_send_email_refuses_a_file_to_download(live, email_template, service, settings):
    settings.BACKOFFICE_BASE_URL = "https://notifications.example.gouv.fr/"

    response = live.post(
        PATH, email_body(email_template, personalisation=FILE_PERSONALISATION)
    )

    settings_page = f"https://notifications.example.gouv.fr/services/{service.id}/"
    assert errors(response) == [
        (
            "BadRequestError",
            "Send files by email has not been set up - add contact details for "
            f"your service at {settings_page}parametres/",
        )
    ]
    assert not Notification.objects.exists()


def test_send_email_file_refusal_links_to_a_real_back_office_page(
    live, email_template, service, client, django_user_model
):
    response = live.post(
        PATH, email_body(email_template, personalisation=FILE_PERSONALISATION)
    )

    path = errors(response)[0][1].rsplit(" at ", 1)[1]
    assert path == f"/services/{service.id}/parametres/"
    # The page exists (its guard sends a signed-out visitor to sign in).
    page = client.get(path)
    assert page.status_code == 302
    assert "/connexion/" in page["Location"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"email_reply_to_id": "9d9ff1c7-5a0c-4b2b-8d5e-0c6f7a0b1f11"},
            "email_reply_to_id 9d9ff1c7-5a0c-4b2b-8d5e-0c6f7a0b1f11 does not exist",
        ),
        ({"email_address": OUTSIDER_EMAIL}, "Can’t send to this recipient using"),
    ],
)
def test_send_email_checks_files_after_the_reply_to_and_the_recipient(
    team, email_template, team_member, extra, message
):
    body = email_body(
        email_template,
        email_address=TEAM_EMAIL,
        personalisation=FILE_PERSONALISATION,
    )
    body.update(extra)

    response = team.post(PATH, body)

    assert errors(response)[0][1].startswith(message)


def test_send_email_checks_files_before_the_length(live, service):
    template = factories.email_template(service=service, body="((name)) ((big))")
    personalisation = {**FILE_PERSONALISATION, "big": "a" * 2_000_001}

    response = live.post(PATH, email_body(template, personalisation=personalisation))

    assert errors(response)[0][1].startswith("Send files by email has not been set up")


def test_send_email_checks_the_team_before_the_address(
    team, email_template, team_member
):
    """Notify's order: the team-key check runs before the address is
    validated against the service (here the address is fine for the schema
    but not on the team)."""
    response = team.post(PATH, email_body(email_template, email_address="x@y.fr"))

    assert errors(response)[0][1].startswith("Can’t send to this recipient using")


def test_send_email_checks_the_template_before_the_recipient(team, service):
    response = team.post(
        PATH,
        email_body(type("T", (), {"id": uuid.uuid4()}), email_address=OUTSIDER_EMAIL),
    )

    assert errors(response) == [("BadRequestError", "Template not found")]


def test_send_email_refuses_nul_characters(live, email_template):
    response = live.post(PATH, email_body(email_template, reference="a\x00b"))

    assert response.status_code == 400
    assert not Notification.objects.exists()
