"""The prepared INSERT writes exactly the row the ORM would."""

import uuid

import pytest
from django.db import transaction

from notifications.actions.rows import notification_insert
from notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


def _row(notification_id) -> dict:
    notification = Notification.objects.get(id=notification_id)
    return {
        field.attname: getattr(notification, field.attname)
        for field in Notification._meta.concrete_fields
        if field.attname not in ("id", "created_at")
    }


def _both_ways(values: dict) -> tuple[dict, dict]:
    raw_id, orm_id = uuid.uuid4(), uuid.uuid4()
    notification_insert(id=raw_id, **values)
    Notification.objects.create(id=orm_id, **values)
    return _row(raw_id), _row(orm_id)


def _template(service):
    template = factories.email_template(service=service)
    # As the API gives them: strings from the cache.
    return {
        "service_id": str(service.id),
        "template_id": str(template.id),
        "template_version_id": str(template.versions.get().id),
    }


def test_defaults_are_the_orms(service):
    raw, orm = _both_ways({**_template(service), "channel": "email"})

    assert raw == orm
    assert raw["status"] == "created"
    assert raw["personalisation"] == {}


def test_every_value_given_is_written_as_the_orm_writes_it(service, live_key):
    user = factories.user()
    values = {
        **_template(service),
        "api_key_id": live_key.api_key.id,
        "key_type": "team",
        "channel": "sms",
        "recipient": "06 12 34 56 78",
        "normalised_recipient": "+33612345678",
        "personalisation": {"nom": "Élodie", "liste": ["a", "b"], "n": 3},
        "client_reference": "",
        "reply_to": "Mairie",
        "one_click_unsubscribe_url": "https://example.org/u",
        "international": True,
        "billable_units": 2,
        "created_by_id": user.id,
    }

    raw, orm = _both_ways(values)

    assert raw == orm
    assert raw["personalisation"]["nom"] == "Élodie"
    assert raw["client_reference"] == ""


def test_the_creation_time_is_set_per_row(service):
    first, second = uuid.uuid4(), uuid.uuid4()
    notification_insert(id=first, channel="email", **_template(service))
    notification_insert(id=second, channel="email", **_template(service))

    times = [Notification.objects.get(id=i).created_at for i in (first, second)]
    assert all(time.tzinfo is not None for time in times)
    assert times[0] <= times[1]


def test_a_rolled_back_transaction_leaves_no_row(service):
    notification_id = uuid.uuid4()

    with pytest.raises(RuntimeError), transaction.atomic():
        notification_insert(id=notification_id, channel="email", **_template(service))
        raise RuntimeError

    assert not Notification.objects.filter(id=notification_id).exists()


def test_a_name_that_is_not_a_column_is_refused(service):
    with pytest.raises(TypeError, match="service"):
        notification_insert(id=uuid.uuid4(), service=service, channel="email")


def test_a_row_with_an_auto_key_gets_the_databases_key(service):
    from notifications.actions.rows import row_insert
    from notifications.models import IdempotencyRecord

    values = {"service_id": str(service.id), "key": "k", "fingerprint": "f"}
    (record_id,) = row_insert(IdempotencyRecord, values, suffix=' RETURNING "id"')
    orm = IdempotencyRecord.objects.create(**{**values, "key": "other"})

    raw = IdempotencyRecord.objects.get(id=record_id)
    assert orm.id == record_id + 1
    assert (raw.state, raw.response_body, raw.notification_id) == (
        orm.state,
        orm.response_body,
        orm.notification_id,
    )


def test_an_update_writes_what_the_orm_would(service):
    from notifications.actions.rows import row_update
    from notifications.models import IdempotencyRecord

    raw, orm = (
        IdempotencyRecord.objects.create(service=service, key=key, fingerprint="f")
        for key in ("a", "b")
    )
    change = {
        "state": IdempotencyRecord.State.DONE,
        "response_status": 201,
        "response_body": {"id": "x", "content": {"body": "Élodie"}},
        "notification_id": uuid.uuid4(),
    }

    assert row_update(IdempotencyRecord, raw.id, change) == 1
    IdempotencyRecord.objects.filter(id=orm.id).update(**change)

    raw.refresh_from_db()
    orm.refresh_from_db()
    fields = ("state", "response_status", "response_body", "notification_id")
    assert [getattr(raw, f) for f in fields] == [getattr(orm, f) for f in fields]
    assert row_update(IdempotencyRecord, 0, change) == 0
