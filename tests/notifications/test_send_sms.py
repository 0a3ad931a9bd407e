"""POST /v2/notifications/sms."""

import uuid

import pytest

from notifications.models import Notification
from services import actions as service_actions
from tests import factories

from .conftest import OUTSIDER_MOBILE, TEAM_MOBILE, errors, sms_body

pytestmark = pytest.mark.django_db

PATH = "/v2/notifications/sms"


def test_send_sms_answers_201_with_notifys_body(live, sms_template, service, settings):
    response = live.post(PATH, sms_body(sms_template, reference="ref"))

    assert response.status_code == 201
    notification = Notification.objects.get()
    assert response.json() == {
        "id": str(notification.id),
        "reference": "ref",
        "content": {
            "body": "Votre code : 4242",
            "from_number": settings.DEFAULT_SMS_SENDER,
        },
        "uri": f"http://testserver/v2/notifications/{notification.id}",
        "template": {
            "id": str(sms_template.id),
            "version": 1,
            "uri": f"http://testserver/services/{service.id}/templates/{sms_template.id}",
        },
        "scheduled_for": None,
    }
    assert "sanitised_content" not in response.json()


def test_send_sms_stores_the_number_as_given_and_normalised(live, sms_template):
    live.post(PATH, sms_body(sms_template, phone_number=" 06 12 34 56 78 "))

    notification = Notification.objects.get()
    assert notification.recipient == "06 12 34 56 78"
    assert notification.normalised_recipient == "+33612345678"
    assert notification.international is False
    assert notification.billable_units == 1


def test_send_sms_leaves_the_service_prefix_out_of_the_answer(
    live, sms_template, service
):
    service.sms_prefix = True
    service.save()

    data = live.post(PATH, sms_body(sms_template)).json()

    assert data["content"]["body"] == "Votre code : 4242"


def test_send_sms_uses_the_default_sender(live, sms_template, service):
    service_actions.sms_sender_add(service=service, sms_sender="MAIRIE")

    data = live.post(PATH, sms_body(sms_template)).json()

    assert data["content"]["from_number"] == "MAIRIE"
    assert Notification.objects.get().reply_to == "MAIRIE"


def test_send_sms_uses_the_sender_chosen_and_formats_a_number(
    live, sms_template, service
):
    service_actions.sms_sender_add(service=service, sms_sender="MAIRIE")
    number = service_actions.sms_sender_add(service=service, sms_sender="0612345678")

    chosen = str(number.id).upper()  # any spelling of the UUID

    data = live.post(PATH, sms_body(sms_template, sms_sender_id=chosen)).json()

    assert data["content"]["from_number"] == "33612345678"


def test_send_sms_refuses_another_services_sender(
    live, sms_template, service, other_service
):
    theirs = service_actions.sms_sender_add(service=other_service, sms_sender="SECRET")

    response = live.post(PATH, sms_body(sms_template, sms_sender_id=str(theirs.id)))

    assert errors(response) == [
        (
            "BadRequestError",
            f"sms_sender_id {theirs.id} does not exist in database for service id "
            f"{service.id}",
        )
    ]
    assert "SECRET" not in response.content.decode()


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("06 12 34", "phone_number Not enough digits"),
        ("06 12 34 56 78 90 12 34", "phone_number Too many digits"),
        ("06 12 AB 56 78", "phone_number Must not contain letters or symbols"),
        ("+999 612345678", "phone_number Not a valid country prefix"),
    ],
)
def test_send_sms_refuses_a_bad_number(live, sms_template, number, message):
    response = live.post(PATH, sms_body(sms_template, phone_number=number))

    assert response.status_code == 400
    assert errors(response) == [("ValidationError", message)]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"phone_number": 612345678}, "phone_number 612345678 is not of type string"),
        ({"phone_number": None}, "phone_number None is not of type string"),
        ({"sms_sender_id": "x"}, "sms_sender_id is not a valid UUID"),
        (
            {"email_reply_to_id": str(uuid.UUID(int=1))},
            "Additional properties are not allowed (email_reply_to_id was unexpected)",
        ),
    ],
)
def test_send_sms_refuses_a_bad_field(live, sms_template, extra, message):
    response = live.post(PATH, sms_body(sms_template, **extra))

    assert errors(response) == [("ValidationError", message)]


def test_send_sms_requires_the_number_and_template(live):
    response = live.post(PATH, {})

    assert errors(response) == [
        ("ValidationError", "phone_number is a required property"),
        ("ValidationError", "template_id is a required property"),
    ]


def test_send_sms_refuses_when_the_service_may_not_send_sms(
    live, sms_template, service
):
    service.can_send_sms = False
    service.save()

    response = live.post(PATH, sms_body(sms_template))

    assert errors(response) == [
        ("BadRequestError", "Service is not allowed to send text messages")
    ]


def test_send_sms_refuses_an_email_template(live, email_template):
    response = live.post(PATH, sms_body(email_template))

    assert errors(response) == [
        ("BadRequestError", "email template is not suitable for sms notification")
    ]


def test_send_sms_refuses_international_numbers_without_permission(live, sms_template):
    response = live.post(PATH, sms_body(sms_template, phone_number="+44 7911 123456"))

    assert errors(response) == [
        ("BadRequestError", "Cannot send to international mobile numbers")
    ]


def test_send_sms_sends_international_numbers_with_permission(
    live, sms_template, service
):
    service.can_send_international_sms = True
    service.save()

    response = live.post(PATH, sms_body(sms_template, phone_number="+44 7911 123456"))

    assert response.status_code == 201
    assert Notification.objects.get().international is True


def test_send_sms_refuses_a_message_over_918_characters(live, service):
    template = factories.sms_template(service=service, body="((text))")

    response = live.post(PATH, sms_body(template, personalisation={"text": "a" * 919}))

    assert errors(response) == [
        (
            "BadRequestError",
            "Your message is too long. Text messages cannot be longer than 918 "
            "characters. Your message is 919 characters long.",
        )
    ]


def test_send_sms_accepts_918_characters(live, service):
    template = factories.sms_template(service=service, body="((text))")

    response = live.post(PATH, sms_body(template, personalisation={"text": "a" * 918}))

    assert response.status_code == 201
    assert Notification.objects.get().billable_units == 6


def test_send_sms_refuses_an_empty_message(live, service):
    template = factories.sms_template(service=service, body="((text))")

    response = live.post(PATH, sms_body(template, personalisation={"text": "  "}))

    assert errors(response) == [("BadRequestError", "Your message is empty.")]


def test_send_sms_reports_the_team_key_before_the_length(team, service, team_member):
    """Notify's order: the recipient checks run before the length check."""
    template = factories.sms_template(service=service, body="((text))")

    response = team.post(
        PATH,
        sms_body(
            template, phone_number=OUTSIDER_MOBILE, personalisation={"text": "a" * 2000}
        ),
    )

    assert errors(response) == [
        ("BadRequestError", "Can’t send to this recipient using a team-only API key")
    ]


def test_send_sms_with_a_team_key_reaches_a_member_in_any_format(
    team, sms_template, team_member
):
    response = team.post(PATH, sms_body(sms_template, phone_number="06 12 34 56 78"))

    assert response.status_code == 201
    assert TEAM_MOBILE == Notification.objects.get().normalised_recipient


def test_send_sms_with_a_team_key_refuses_an_outsider(team, sms_template, team_member):
    response = team.post(PATH, sms_body(sms_template, phone_number=OUTSIDER_MOBILE))

    assert response.status_code == 400
    assert not Notification.objects.exists()


def test_send_sms_to_a_simulated_number_is_never_stored(live, sms_template, service):
    service.can_send_international_sms = True
    service.save()

    response = live.post(PATH, sms_body(sms_template, phone_number="+44 7700 900000"))

    assert response.status_code == 201
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "number", ["+447700900000", "+44 7700 900111", "+447700900222"]
)
@pytest.mark.parametrize("caller", ["live", "tester"])
def test_send_sms_to_notifys_smoke_test_numbers_needs_no_international_permission(
    request, sms_template, service, number, caller, django_capture_on_commit_callbacks
):
    assert not service.can_send_international_sms
    sender = request.getfixturevalue(caller)

    with django_capture_on_commit_callbacks() as callbacks:
        response = sender.post(PATH, sms_body(sms_template, phone_number=number))

    assert response.status_code == 201
    assert not Notification.objects.exists()
    assert callbacks == []


def test_send_sms_smoke_test_numbers_still_pass_the_team_check(
    team, sms_template, team_member
):
    """Notify's code checks the team before spotting a smoke-test number."""
    response = team.post(PATH, sms_body(sms_template, phone_number="+447700900000"))

    assert errors(response)[0][1].startswith("Can’t send to this recipient using")
