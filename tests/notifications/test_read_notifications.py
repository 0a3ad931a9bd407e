"""GET /v2/notifications/{id} and GET /v2/notifications."""

import datetime as dt
import urllib.parse
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import actions
from notifications.models import Job, Notification
from tests import factories

from .conftest import email_body, errors, sms_body

pytestmark = pytest.mark.django_db

LIST = "/v2/notifications"


def _send(caller, template, **extra):
    path = "/v2/notifications/" + template.channel
    body = (email_body if template.channel == "email" else sms_body)(template, **extra)
    response = caller.post(path, body)
    assert response.status_code == 201, response.json()
    return Notification.objects.get(id=response.json()["id"])


def test_get_notification_answers_every_key(live, email_template, service):
    notification = _send(live, email_template, reference="r-1")

    data = live.get(f"/v2/notifications/{notification.id}").json()

    assert data == {
        "id": str(notification.id),
        "reference": "r-1",
        "email_address": "usager@example.org",
        "phone_number": None,
        "line_1": None,
        "line_2": None,
        "line_3": None,
        "line_4": None,
        "line_5": None,
        "line_6": None,
        "postcode": None,
        "type": "email",
        "status": "created",
        "template": {
            "id": str(email_template.id),
            "version": 1,
            "uri": f"http://testserver/v2/template/{email_template.id}/version/1",
        },
        "body": "Votre dossier A-12 est complet.",
        "subject": "Bonjour Camille",
        "created_at": notification.created_at.astimezone(dt.UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        ),
        "created_by_name": None,
        "sent_at": None,
        "completed_at": None,
        "scheduled_for": None,
        "postage": None,
        "one_click_unsubscribe_url": None,
        "is_cost_data_ready": True,
        "cost_in_pounds": 0.0,
        "cost_details": {},
    }


def _send_from_the_back_office(service, template, user) -> str:
    accepted = actions.notification_send_one_off(
        service_id=service.id,
        channel="email",
        template_id=template.id,
        recipient="usager@example.org",
        personalisation={"name": "Camille", "reference": "A-12"},
        created_by_id=user.id,
    )
    return str(accepted.id)


def test_get_notification_names_who_sent_it_from_the_back_office(
    live, email_template, service
):
    user = factories.user(full_name="Camille Agent")
    sent = _send_from_the_back_office(service, email_template, user)

    data = live.get(f"/v2/notifications/{sent}").json()

    assert data["created_by_name"] == "Camille Agent"


def test_list_notifications_names_back_office_senders_in_one_query(
    live, email_template, service
):
    named = factories.user(full_name="Camille Agent")
    unnamed = factories.user(email="sans.nom@example.gouv.fr")
    for user in (named, unnamed, named):
        _send_from_the_back_office(service, email_template, user)
    _send(live, email_template)

    with CaptureQueriesContext(connection) as queries:
        data = live.get(LIST).json()

    names = [n["created_by_name"] for n in data["notifications"]]
    assert names == [None, "Camille Agent", "sans.nom@example.gouv.fr", "Camille Agent"]
    assert len(queries) == 1


def test_get_notification_shows_an_sms_with_its_cost(live, sms_template, settings):
    settings.API_SMS_FRAGMENT_RATE = 0.05
    notification = _send(live, sms_template)

    data = live.get(f"/v2/notifications/{notification.id}").json()

    assert data["phone_number"] == "06 12 34 56 78"
    assert data["email_address"] is None
    assert data["subject"] is None
    assert data["body"] == "Votre code : 4242"
    assert data["cost_in_pounds"] == 0.05
    assert data["cost_details"] == {
        "billable_sms_fragments": 1,
        "international_rate_multiplier": 1.0,
        "sms_rate": 0.05,
    }


def test_get_notification_shows_completion_and_sending_times(live, email_template):
    notification = _send(live, email_template)
    sent = timezone.now()
    Notification.objects.filter(id=notification.id).update(
        status="delivered", sent_at=sent, updated_at=sent
    )

    data = live.get(f"/v2/notifications/{notification.id}").json()

    assert data["status"] == "delivered"
    assert data["sent_at"].endswith("Z")
    assert data["completed_at"] == data["sent_at"]


def test_get_notification_refuses_an_invalid_id(live):
    response = live.get("/v2/notifications/not-a-uuid")

    assert response.status_code == 400
    assert errors(response) == [
        ("ValidationError", "notification_id is not a valid UUID")
    ]


def test_get_notification_answers_404_for_an_unknown_id(live):
    response = live.get(f"/v2/notifications/{uuid.uuid4()}")

    assert response.status_code == 404
    assert errors(response) == [("NoResultFound", "No result found")]


def test_get_notification_hides_another_services_notification(
    live, other, other_service
):
    template = factories.email_template(service=other_service)
    theirs = _send(other, template)

    response = live.get(f"/v2/notifications/{theirs.id}")

    assert response.status_code == 404
    assert "usager" not in response.content.decode()


def test_get_notification_shows_any_key_type_of_the_service(
    live, tester, email_template
):
    notification = _send(tester, email_template)

    assert live.get(f"/v2/notifications/{notification.id}").status_code == 200


def test_get_notification_answers_404_once_personal_data_is_erased(
    live, email_template
):
    notification = _send(live, email_template)
    Notification.objects.filter(id=notification.id).update(redacted_at=timezone.now())

    assert live.get(f"/v2/notifications/{notification.id}").status_code == 404


def test_list_notifications_is_newest_first_with_links(live, email_template):
    first = _send(live, email_template)
    second = _send(live, email_template)

    data = live.get(LIST).json()

    assert [n["id"] for n in data["notifications"]] == [str(second.id), str(first.id)]
    assert data["links"] == {
        "current": "http://testserver/v2/notifications",
        "next": f"http://testserver/v2/notifications?older_than={first.id}",
    }


def test_list_notifications_has_no_next_link_when_empty(live):
    data = live.get(LIST).json()

    assert data == {
        "notifications": [],
        "links": {"current": "http://testserver/v2/notifications"},
    }


def test_list_notifications_pages_with_older_than(live, email_template, settings):
    settings.API_PAGE_SIZE = 2
    sent = [_send(live, email_template) for _ in range(3)]

    page = live.get(LIST).json()
    next_url = urllib.parse.urlsplit(page["links"]["next"])
    second_page = live.get(f"{next_url.path}?{next_url.query}").json()

    assert [n["id"] for n in page["notifications"]] == [
        str(sent[2].id),
        str(sent[1].id),
    ]
    assert [n["id"] for n in second_page["notifications"]] == [str(sent[0].id)]


def test_list_notifications_pages_through_equal_creation_times(live, email_template):
    sent = [_send(live, email_template) for _ in range(3)]
    Notification.objects.update(created_at=sent[0].created_at)

    seen, older_than = [], None
    for _ in range(4):
        query = f"?older_than={older_than}" if older_than else ""
        page = live.get(LIST + query).json()["notifications"]
        if not page:
            break
        seen += [n["id"] for n in page[:1]]
        older_than = page[0]["id"]

    assert sorted(seen) == sorted(str(n.id) for n in sent)


def test_list_notifications_is_empty_after_another_services_id(
    live, other, other_service, email_template
):
    _send(live, email_template)
    theirs = _send(other, factories.email_template(service=other_service))

    data = live.get(f"{LIST}?older_than={theirs.id}").json()

    assert data["notifications"] == []
    assert "next" not in data["links"]


def test_list_notifications_shows_only_the_callers_key_type(
    live, tester, team, email_template, team_member
):
    mine = _send(live, email_template)
    _send(tester, email_template)

    ids = [n["id"] for n in live.get(LIST).json()["notifications"]]

    assert ids == [str(mine.id)]
    assert len(tester.get(LIST).json()["notifications"]) == 1
    assert team.get(LIST).json()["notifications"] == []


def test_list_notifications_never_shows_another_service(live, other, other_service):
    _send(other, factories.email_template(service=other_service))

    assert live.get(LIST).json()["notifications"] == []


def test_list_notifications_filters_by_type(live, email_template, sms_template):
    _send(live, email_template)
    sms = _send(live, sms_template)

    data = live.get(f"{LIST}?template_type=sms").json()

    assert [n["id"] for n in data["notifications"]] == [str(sms.id)]
    assert (
        data["links"]["current"]
        == "http://testserver/v2/notifications?template_type=sms"
    )


@pytest.mark.parametrize(
    ("status_filter", "matching"),
    [
        ("failed", {"technical-failure", "temporary-failure", "permanent-failure"}),
        ("accepted", {"created", "sending"}),
        ("received", {"delivered"}),
        ("sending", {"sending"}),
    ],
)
def test_list_notifications_expands_status_filters(
    live, email_template, status_filter, matching
):
    statuses = [
        "created",
        "sending",
        "delivered",
        "technical-failure",
        "temporary-failure",
        "permanent-failure",
        "pending",
    ]
    for status in statuses:
        notification = _send(live, email_template)
        Notification.objects.filter(id=notification.id).update(status=status)

    data = live.get(f"{LIST}?status={status_filter}").json()

    assert {n["status"] for n in data["notifications"]} == matching


def test_list_notifications_repeats_status_filters(live, email_template):
    for status in ("created", "delivered", "pending"):
        notification = _send(live, email_template)
        Notification.objects.filter(id=notification.id).update(status=status)

    data = live.get(f"{LIST}?status=created&status=pending").json()

    assert {n["status"] for n in data["notifications"]} == {"created", "pending"}
    assert data["links"]["current"].endswith("?status=created&status=pending")


def test_list_notifications_filters_by_reference(live, email_template):
    wanted = _send(live, email_template, reference="abc")
    _send(live, email_template, reference="abcd")

    data = live.get(f"{LIST}?reference=abc").json()

    assert [n["id"] for n in data["notifications"]] == [str(wanted.id)]


def test_list_notifications_leaves_out_jobs_unless_asked(live, email_template, service):
    notification = _send(live, email_template)
    job = Job.objects.create(
        service=service,
        template_version=notification.template_version,
        original_file_name="envoi.csv",
    )
    Notification.objects.filter(id=notification.id).update(job=job, job_row_number=0)

    assert live.get(LIST).json()["notifications"] == []
    assert len(live.get(f"{LIST}?include_jobs=True").json()["notifications"]) == 1
    assert len(live.get(f"{LIST}?include_jobs=true").json()["notifications"]) == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "template_type=orange",
            "template_type orange is not one of [sms, email, letter]",
        ),
        (
            "status=elephant",
            "status elephant is not one of [cancelled, created, sending, sent, "
            "delivered, pending, failed, technical-failure, temporary-failure, "
            "permanent-failure, pending-virus-check, validation-failed, "
            "virus-scan-failed, returned-letter, accepted, received]",
        ),
        ("older_than=nope", "older_than is not a valid UUID"),
        ("include_jobs=false", "include_jobs false is not one of [true, True]"),
        (
            "colour=blue",
            "Additional properties are not allowed (colour was unexpected)",
        ),
    ],
)
def test_list_notifications_refuses_bad_parameters(live, query, message):
    response = live.get(f"{LIST}?{query}")

    assert response.status_code == 400
    assert errors(response) == [("ValidationError", message)]
