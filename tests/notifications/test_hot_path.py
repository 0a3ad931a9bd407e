"""The hot path: one INSERT and one queued delivery per accepted send once
the caches are warm; the caches follow every change."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import cache, redis_client
from services import actions as service_actions
from templates_app import actions as template_actions

from .conftest import email_body, errors, sms_body

pytestmark = pytest.mark.django_db


def _warm(caller, path, body, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert caller.post(path, body).status_code == 201


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_send_costs_one_insert_and_one_publish_when_warm(
    live, email_template, sms_template, channel, django_capture_on_commit_callbacks
):
    path = f"/v2/notifications/{channel}"
    body = email_body(email_template) if channel == "email" else sms_body(sms_template)
    _warm(live, path, body, django_capture_on_commit_callbacks)

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks() as callbacks,
    ):
        response = live.post(path, body)

    assert response.status_code == 201
    statements = [q["sql"] for q in queries]
    assert len(statements) == 1
    assert statements[0].startswith('INSERT INTO "notifications_notification"')
    assert len(callbacks) == 1


def test_the_after_commit_work_publishes_once(
    live, email_template, django_capture_on_commit_callbacks, monkeypatch
):
    from deliveries import tasks as delivery_tasks

    published = []
    monkeypatch.setattr(
        delivery_tasks,
        "queue_delivery",
        lambda **kwargs: published.append(kwargs),
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = live.post("/v2/notifications/email", email_body(email_template))

    assert [p["notification_id"] for p in published] == [
        uuid.UUID(response.json()["id"])
    ]


def test_cache_sees_a_revoked_key_at_once(live, live_key):
    assert live.get("/v2/templates").status_code == 200

    service_actions.api_key_revoke(api_key=live_key.api_key)

    assert errors(live.get("/v2/templates")) == [
        ("AuthError", "Invalid token: API key revoked")
    ]


def test_cache_sees_an_archived_template_at_once(live, email_template):
    body = email_body(email_template)
    assert live.post("/v2/notifications/email", body).status_code == 201

    template_actions.template_archive(template=email_template)

    assert errors(live.post("/v2/notifications/email", body)) == [
        ("BadRequestError", "Template has been deleted")
    ]


def test_cache_sees_a_new_team_member_at_once(team, email_template, service):
    from tests import factories

    body = email_body(email_template, email_address="nouvelle@example.gouv.fr")
    assert team.post("/v2/notifications/email", body).status_code == 400

    user = factories.user(email="nouvelle@example.gouv.fr")
    service_actions.member_add(service=service, user=user, permissions=[])

    assert team.post("/v2/notifications/email", body).status_code == 201


def test_cache_picks_up_changes_made_by_another_process(live, email_template, service):
    """Another process bumps the generation in Redis; this process sees it
    once its local copy expires."""
    live.post("/v2/notifications/email", email_body(email_template))
    type(service).objects.filter(id=service.id).update(can_send_email=False)
    redis_client.get_client().incr(f"api-cache:generation:{service.id}")

    cache.clear_local()  # the local TTL has run out

    response = live.post("/v2/notifications/email", email_body(email_template))
    assert errors(response) == [
        ("BadRequestError", "Service is not allowed to send emails")
    ]


def test_cache_never_puts_a_decrypted_secret_in_redis(live, live_key):
    live.get("/v2/templates")

    client = redis_client.get_client()
    stored = b"".join(client.get(key) or b"" for key in client.keys("api-cache:*"))

    assert live_key.secret.encode() not in stored
    assert str(live_key.api_key.service_id).encode() in stored


def test_cache_sees_a_members_new_mobile_number(team, sms_template, team_member):
    body = sms_body(sms_template, phone_number="+33611111111")
    assert team.post("/v2/notifications/sms", body).status_code == 400

    team_member.mobile_number = "06 11 11 11 11"
    team_member.save()

    assert team.post("/v2/notifications/sms", body).status_code == 201


def test_cache_ignores_a_members_sign_in(team, email_template, team_member):
    body = email_body(email_template, email_address=team_member.email)
    team.post("/v2/notifications/email", body)
    generation = redis_client.get_client().get(
        f"api-cache:generation:{team_member.memberships.get().service_id}"
    )

    team_member.save(update_fields=["last_login"])

    assert (
        redis_client.get_client().get(
            f"api-cache:generation:{team_member.memberships.get().service_id}"
        )
        == generation
    )
