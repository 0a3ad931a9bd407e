"""GET /v2/received-text-messages, the refused letter endpoints, and how
unknown URLs and methods are answered."""

import base64
import datetime as dt
import uuid

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.authentication import GENERAL_AUTH_ERROR
from notifications.models import Notification, ReceivedTextMessage
from tests import factories

from .conftest import email_body, errors

pytestmark = pytest.mark.django_db

TEXTS = "/v2/received-text-messages"


def _received(service, content="Bonjour", minutes_ago=0):
    return ReceivedTextMessage.objects.create(
        service=service,
        notify_number="38100",
        user_number="33612345678",
        content=content,
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )


def test_received_texts_lists_newest_first_with_links(live, service):
    older = _received(service, minutes_ago=5)
    newer = _received(service, content="Salut")

    data = live.get(TEXTS).json()

    assert data["received_text_messages"][0] == {
        "id": str(newer.id),
        "created_at": newer.created_at.astimezone(dt.UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        ),
        "service_id": str(service.id),
        "notify_number": "38100",
        "user_number": "33612345678",
        "content": "Salut",
    }
    assert [m["id"] for m in data["received_text_messages"]] == [
        str(newer.id),
        str(older.id),
    ]
    assert data["links"] == {
        "current": "http://testserver/v2/received-text-messages",
        "next": f"http://testserver/v2/received-text-messages?older_than={older.id}",
    }


def test_received_texts_continue_after_older_than(live, service):
    older = _received(service, minutes_ago=5)
    newer = _received(service)

    data = live.get(f"{TEXTS}?older_than={newer.id}").json()

    assert [m["id"] for m in data["received_text_messages"]] == [str(older.id)]
    assert data["links"]["current"] == "http://testserver/v2/received-text-messages"


def test_received_texts_never_show_another_service(live, other_service):
    theirs = _received(other_service)

    assert live.get(TEXTS).json()["received_text_messages"] == []
    response = live.get(f"{TEXTS}?older_than={theirs.id}")
    assert response.json() == {
        "received_text_messages": [],
        "links": {"current": "http://testserver/v2/received-text-messages"},
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("older_than=nope", "older_than is not a valid UUID"),
        ("page=2", "Additional properties are not allowed (page was unexpected)"),
    ],
)
def test_received_texts_refuse_bad_parameters(live, query, message):
    assert errors(live.get(f"{TEXTS}?{query}")) == [("ValidationError", message)]


def test_letter_is_refused_as_for_a_service_without_letters(live, email_template):
    body = {
        "template_id": str(email_template.id),
        "personalisation": {"address_line_1": "A"},
    }

    response = live.post("/v2/notifications/letter", body)

    assert response.status_code == 400
    assert errors(response) == [
        ("BadRequestError", "Service is not allowed to send letters")
    ]
    assert not Notification.objects.exists()


def test_letter_validates_its_body_first(live):
    response = live.post("/v2/notifications/letter", {"template_id": "x"})

    assert errors(response) == [
        ("ValidationError", "template_id is not a valid UUID"),
        ("ValidationError", "personalisation is a required property"),
    ]


def test_precompiled_letter_is_refused_after_its_schema(live):
    pdf = base64.b64encode(b"%PDF-1.4").decode()

    bad = live.post("/v2/notifications/letter", {"content": pdf, "postage": "air"})
    good = live.post("/v2/notifications/letter", {"content": pdf, "reference": "r"})

    assert errors(bad) == [
        (
            "ValidationError",
            "postage invalid. It must be either first, second or economy.",
        ),
        ("ValidationError", "reference is a required property"),
    ]
    assert errors(good) == [
        ("BadRequestError", "Service is not allowed to send letters")
    ]


def test_pdf_of_an_email_is_not_a_letter(live, email_template):
    created = live.post("/v2/notifications/email", email_body(email_template)).json()

    response = live.get(f"/v2/notifications/{created['id']}/pdf")

    assert errors(response) == [("BadRequestError", "Notification is not a letter")]


def test_pdf_of_an_unknown_or_invalid_id(live):
    assert live.get(f"/v2/notifications/{uuid.uuid4()}/pdf").status_code == 404
    assert errors(live.get("/v2/notifications/x/pdf")) == [
        ("ValidationError", "notification_id is not a valid UUID")
    ]


def test_pdf_of_another_services_notification_is_not_found(live, other, other_service):
    template = factories.email_template(service=other_service)
    theirs = other.post("/v2/notifications/email", email_body(template)).json()

    assert live.get(f"/v2/notifications/{theirs['id']}/pdf").status_code == 404


def test_unknown_notification_type_is_an_unknown_url(live):
    response = live.post("/v2/notifications/fax", {})

    assert response.status_code == 404
    assert response.json() == {
        "result": "error",
        "message": "The requested URL was not found on the server. If you entered "
        "the URL manually please check your spelling and try again.",
    }


def test_unknown_v2_url_is_answered_in_json(db):
    response = APIClient().get("/v2/nothing/here")

    assert response.status_code == 404
    assert response.json()["result"] == "error"


@pytest.mark.parametrize("kind", ["email", "sms", "letter"])
def test_get_on_a_sending_path_is_an_invalid_notification_id(live, kind):
    """Notify's router falls through to the notification by id."""
    response = live.get(f"/v2/notifications/{kind}")

    assert errors(response) == [
        ("ValidationError", "notification_id is not a valid UUID")
    ]


def test_get_on_a_sending_path_authenticates_first(db):
    response = APIClient().get("/v2/notifications/email")

    assert response.status_code == 401


def test_wrong_method_is_refused_before_authentication(db):
    response = APIClient().delete("/v2/notifications/email")

    assert response.status_code == 405
    assert response.json() == {
        "result": "error",
        "message": "The method is not allowed for the requested URL.",
    }


def _template_versions(service_id=None, **headers):
    path = f"/service/{service_id or uuid.uuid4()}/template/{uuid.uuid4()}/versions"
    return APIClient().get(path, **headers)


def test_template_versions_refuse_a_services_token(live):
    response = _template_versions(
        live.service_id, HTTP_AUTHORIZATION=live.authorization()
    )

    assert response.status_code == 401
    assert response.json() == {
        "result": "error",
        "message": {"token": ["Unauthorized: not allowed to perform this action"]},
    }


@pytest.mark.parametrize(
    ("authorization", "status", "message"),
    [
        ("", 401, "Unauthorized: authentication token must be provided"),
        ("Basic abc", 401, "Unauthorized: authentication bearer scheme must be used"),
        ("Bearer not-a-jwt", 403, GENERAL_AUTH_ERROR),
    ],
)
def test_template_versions_check_the_header_in_notifys_order(
    db, authorization, status, message
):
    response = _template_versions(HTTP_AUTHORIZATION=authorization)

    assert response.status_code == status
    assert response.json() == {"result": "error", "message": {"token": [message]}}


def test_template_versions_refuse_other_methods(db):
    path = f"/service/{uuid.uuid4()}/template/{uuid.uuid4()}/versions"

    response = APIClient().post(path)

    assert response.status_code == 405
    assert response.json()["result"] == "error"
