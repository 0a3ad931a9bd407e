"""The Idempotency-Key header on sends."""

import datetime as dt
import json
import threading

import pytest
from django.db import connection
from django.utils import timezone

from notifications import actions
from notifications.actions import idempotency
from notifications.api import validation
from notifications.models import IdempotencyRecord, Notification
from notifications.tasks import prune_idempotency_records
from services.models import KeyType
from tests import factories

from .conftest import ApiCaller, email_body, errors, sms_body

EMAIL = "/v2/notifications/email"


def _post(caller, body, key="key-1", path=EMAIL):
    return caller.post(path, body, HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_idempotency_replays_the_first_answer_without_a_second_notification(
    live, email_template
):
    first = _post(live, email_body(email_template))
    again = _post(live, email_body(email_template))

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Notification.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert str(record.notification_id) == first.json()["id"]


@pytest.mark.django_db
def test_idempotency_ignores_key_order_and_spacing(live, email_template):
    body = email_body(email_template)
    _post(live, body)
    reordered = (
        '{"personalisation": {"reference": "A-12", "name": "Camille"}, '
        f'"template_id": "{email_template.id}", '
        '"email_address": "usager@example.org"}'
    )

    again = live.post_raw(EMAIL, reordered, HTTP_IDEMPOTENCY_KEY="key-1")

    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_idempotency_refuses_the_same_key_with_another_body(live, email_template):
    _post(live, email_body(email_template))

    response = _post(live, email_body(email_template, reference="other"))

    assert response.status_code == 422
    assert errors(response)[0][0] == "UnprocessableEntityError"
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_idempotency_refuses_the_same_key_on_another_endpoint(
    live, email_template, sms_template
):
    _post(live, email_body(email_template))

    response = _post(live, sms_body(sms_template), path="/v2/notifications/sms")

    assert response.status_code == 422


@pytest.mark.django_db
def test_idempotency_answers_409_while_the_first_request_runs(
    live, email_template, service
):
    body = email_body(email_template)
    fingerprint = idempotency.fingerprint(
        method="POST",
        path=EMAIL,
        body=validation.fingerprint_body(json.dumps(body).encode()),
    )
    claim = actions.idempotency_claim(
        service_id=service.id,
        key_type="normal",
        key="key-1",
        request_fingerprint=fingerprint,
    )

    response = _post(live, body)

    assert claim.record_id is not None
    assert response.status_code == 409
    assert errors(response)[0][0] == "ConflictError"
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_idempotency_takes_over_a_key_held_by_a_dead_request(
    live, email_template, service
):
    first = _post(live, email_body(email_template), key="probe")
    fingerprint = IdempotencyRecord.objects.get(key="probe").fingerprint
    IdempotencyRecord.objects.create(
        service=service,
        key="stale",
        fingerprint=fingerprint,
        locked_at=timezone.now() - dt.timedelta(minutes=5),
    )

    response = _post(live, email_body(email_template), key="stale")

    assert first.status_code == response.status_code == 201
    assert IdempotencyRecord.objects.get(key="stale").state == "done"


@pytest.mark.django_db
def test_idempotency_is_scoped_per_service(live, other, email_template, other_service):
    _post(live, email_body(email_template))
    theirs = factories.email_template(service=other_service)

    response = _post(other, email_body(theirs))

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_idempotency_is_scoped_per_key_type(live, tester, email_template):
    first = _post(live, email_body(email_template))

    response = _post(tester, email_body(email_template))

    assert response.status_code == 201
    assert not response.has_header("Idempotent-Replayed")
    assert response.json()["id"] != first.json()["id"]
    assert Notification.objects.get(id=response.json()["id"]).key_type == "test"
    assert _post(tester, email_body(email_template)).json() == response.json()


@pytest.mark.django_db
def test_idempotency_replays_before_the_rate_limit(live, email_template, service):
    service.rate_limit = 3  # a bucket of 2 tokens
    service.save()
    first = _post(live, email_body(email_template))
    assert live.post(EMAIL, email_body(email_template)).status_code == 201
    assert live.post(EMAIL, email_body(email_template)).status_code == 429

    again = _post(live, email_body(email_template))
    new_key = _post(live, email_body(email_template), key="key-2")

    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert new_key.status_code == 429
    assert not IdempotencyRecord.objects.filter(key="key-2").exists()


@pytest.mark.django_db
def test_idempotency_does_not_keep_a_refused_request(live, email_template):
    refused = _post(live, email_body(email_template, email_address="nope"))

    corrected = _post(live, email_body(email_template))

    assert refused.status_code == 400
    assert corrected.status_code == 201
    assert "Idempotent-Replayed" not in corrected


@pytest.mark.django_db
def test_idempotency_refuses_a_key_over_255_characters(live, email_template):
    response = _post(live, email_body(email_template), key="k" * 256)

    assert response.status_code == 400
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_idempotency_forgets_keys_after_24_hours(live, email_template):
    _post(live, email_body(email_template))
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))

    again = _post(live, email_body(email_template))

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_idempotency_records_are_pruned_after_24_hours(live, email_template):
    _post(live, email_body(email_template), key="old")
    _post(live, email_body(email_template), key="new")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )

    assert prune_idempotency_records() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db
def test_idempotency_replays_a_simulated_send(live, email_template):
    body = email_body(
        email_template, email_address="simulate-delivered@notifications.service.gov.uk"
    )
    first = _post(live, body)

    again = _post(live, body)

    assert again.json()["id"] == first.json()["id"]
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_idempotency_under_concurrency_creates_exactly_one_notification():
    """Parallel identical requests: one notification; the others replay it
    or are told the first is still running."""
    service = factories.service()
    template = factories.email_template(service=service)
    key = factories.api_key(service=service, key_type=KeyType.NORMAL)
    body = email_body(template)
    barrier = threading.Barrier(6)
    statuses, ids = [], set()

    def send():
        caller = ApiCaller(key)
        barrier.wait()
        try:
            response = _post(caller, body, key="parallel")
            statuses.append(response.status_code)
            if response.status_code == 201:
                ids.add(response.json()["id"])
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Notification.objects.count() == 1
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    assert ids == {str(Notification.objects.get().id)}
