"""Per-minute rate limits and daily limits, in Redis."""

import logging

import pytest
from django.core.cache import cache

from notifications import limits
from notifications.models import Notification

from .conftest import email_body, errors, sms_body

pytestmark = pytest.mark.django_db

EMAIL = "/v2/notifications/email"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run each request's after-commit work (publish, count), as a real
    commit would."""

    def post(caller, path, body):
        with django_capture_on_commit_callbacks(execute=True):
            return caller.post(path, body)

    return post


def _limit_rate(service, per_minute: int) -> None:
    service.rate_limit = per_minute
    service.save()


def test_rate_limit_answers_429_with_retry_after(live, email_template, service):
    _limit_rate(service, 3)  # a bucket of 2 tokens
    for _ in range(2):
        assert live.post(EMAIL, email_body(email_template)).status_code == 201

    response = live.post(EMAIL, email_body(email_template))

    assert response.status_code == 429
    assert errors(response) == [
        (
            "RateLimitError",
            "Exceeded rate limit for key type LIVE of 3 requests per 60 seconds",
        )
    ]
    assert 1 <= int(response["Retry-After"]) <= 20
    assert Notification.objects.count() == 2


def test_rate_limit_is_checked_before_the_body(live, service):
    _limit_rate(service, 3)
    for _ in range(2):
        live.post(EMAIL, {})

    response = live.post_raw(EMAIL, "{not json")

    assert response.status_code == 429


def test_rate_limit_keeps_one_bucket_per_key_type(
    live, team, tester, email_template, service, team_member
):
    _limit_rate(service, 3)
    for _ in range(2):
        live.post(EMAIL, email_body(email_template))
    assert live.post(EMAIL, email_body(email_template)).status_code == 429

    assert tester.post(EMAIL, email_body(email_template)).status_code == 201
    team_body = email_body(email_template, email_address=team_member.email)
    assert team.post(EMAIL, team_body).status_code == 201


def test_rate_limit_names_the_key_type(team, email_template, service, team_member):
    _limit_rate(service, 1)  # a bucket of 2 tokens
    body = email_body(email_template, email_address=team_member.email)
    team.post(EMAIL, body)
    team.post(EMAIL, body)

    response = team.post(EMAIL, body)

    assert errors(response)[0] == (
        "RateLimitError",
        "Exceeded rate limit for key type TEAM of 1 requests per 60 seconds",
    )


def test_rate_limit_does_not_apply_to_reads(live, service):
    _limit_rate(service, 1)

    assert all(live.get("/v2/templates").status_code == 200 for _ in range(3))


def test_bucket_capacity_follows_notify():
    assert limits.bucket_capacity(3000) == 1000
    assert limits.bucket_capacity(60) == 21
    assert limits.bucket_capacity(1) == 2


def test_daily_limit_answers_429_with_retry_after(
    live, email_template, service, committed
):
    service.email_daily_limit = 2
    service.save()
    for _ in range(2):
        assert committed(live, EMAIL, email_body(email_template)).status_code == 201

    response = committed(live, EMAIL, email_body(email_template))

    assert response.status_code == 429
    assert errors(response) == [
        ("TooManyRequestsError", "Exceeded send limits (email: 2) for today")
    ]
    assert 1 <= int(response["Retry-After"]) <= 25 * 3600


def test_daily_limit_is_per_channel(
    live, email_template, sms_template, service, committed
):
    service.email_daily_limit = 1
    service.save()
    committed(live, EMAIL, email_body(email_template))

    assert committed(live, EMAIL, email_body(email_template)).status_code == 429
    assert (
        committed(live, "/v2/notifications/sms", sms_body(sms_template)).status_code
        == 201
    )


def test_daily_limit_never_counts_test_keys(
    tester, live, email_template, service, committed
):
    service.email_daily_limit = 1
    service.save()
    for _ in range(3):
        assert committed(tester, EMAIL, email_body(email_template)).status_code == 201

    assert committed(live, EMAIL, email_body(email_template)).status_code == 201


def test_daily_limit_checks_test_keys_against_a_count_of_zero(
    tester, live, email_template, service, committed
):
    """Notify checks test keys too, against a counter it never increments:
    only a limit of 0 refuses them, even when live keys used up the day."""
    service.email_daily_limit = 1
    service.save()
    assert committed(live, EMAIL, email_body(email_template)).status_code == 201
    assert committed(live, EMAIL, email_body(email_template)).status_code == 429
    assert committed(tester, EMAIL, email_body(email_template)).status_code == 201

    service.email_daily_limit = 0
    service.save()
    response = committed(tester, EMAIL, email_body(email_template))

    assert errors(response) == [
        ("TooManyRequestsError", "Exceeded send limits (email: 0) for today")
    ]
    assert int(response["Retry-After"]) >= 1


def test_daily_limit_of_a_trial_service_is_a_live_ones_for_test_keys(
    tester, sms_template, service, committed
):
    service.restricted = True
    service.sms_daily_limit = 0
    service.can_send_international_sms = True
    service.international_sms_daily_limit = 0
    service.save()

    local = committed(tester, "/v2/notifications/sms", sms_body(sms_template))
    abroad = committed(
        tester,
        "/v2/notifications/sms",
        sms_body(sms_template, phone_number="+44 7911 123456"),
    )

    assert local.status_code == abroad.status_code == 201


def test_daily_limit_costs_a_test_key_no_redis_call(
    tester, email_template, committed, monkeypatch
):
    from deliveries import tasks as delivery_tasks

    monkeypatch.setattr(delivery_tasks, "queue_delivery", lambda **kwargs: None)
    assert committed(tester, EMAIL, email_body(email_template)).status_code == 201
    sent = _redis_commands(monkeypatch)

    assert committed(tester, EMAIL, email_body(email_template)).status_code == 201

    assert [command[0] for command in sent] == ["EVALSHA"]


def test_daily_limit_never_counts_simulated_recipients(
    live, email_template, service, committed
):
    service.email_daily_limit = 1
    service.save()
    simulated = "simulate-delivered@notifications.service.gov.uk"
    for _ in range(3):
        committed(live, EMAIL, email_body(email_template, email_address=simulated))

    assert committed(live, EMAIL, email_body(email_template)).status_code == 201


def test_daily_limit_is_rebuilt_from_the_database_when_redis_loses_it(
    live, email_template, service, committed
):
    service.email_daily_limit = 2
    service.save()
    for _ in range(2):
        committed(live, EMAIL, email_body(email_template))

    cache.clear()  # flushes the test Redis database: counters are lost

    assert committed(live, EMAIL, email_body(email_template)).status_code == 429


def test_daily_limit_counts_international_sms_separately(
    live, sms_template, service, committed
):
    service.can_send_international_sms = True
    service.international_sms_daily_limit = 1
    service.save()
    abroad = sms_body(sms_template, phone_number="+44 7911 123456")
    assert committed(live, "/v2/notifications/sms", abroad).status_code == 201

    response = committed(live, "/v2/notifications/sms", abroad)

    assert errors(response) == [
        (
            "TooManyRequestsError",
            "Exceeded send limits (international_sms: 1) for today",
        )
    ]
    assert (
        committed(live, "/v2/notifications/sms", sms_body(sms_template)).status_code
        == 201
    )


def test_limits_are_skipped_when_redis_is_unreachable(
    live, email_template, service, settings, caplog
):
    service.rate_limit = 1
    service.email_daily_limit = 1
    service.save()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    before = limits.skipped_checks()

    with caplog.at_level(logging.WARNING, logger="notifications.limits"):
        statuses = [
            live.post(EMAIL, email_body(email_template)).status_code for _ in range(3)
        ]

    assert statuses == [201, 201, 201]
    assert limits.skipped_checks() - before >= 6
    assert "Redis unreachable" in caplog.text
    assert "usager@example.org" not in caplog.text


def test_rate_limit_accepts_a_full_bucket_then_only_the_refill(service):
    import time

    from config.api import RateLimitError
    from notifications import cache

    service.rate_limit = 60  # one token a second, a bucket of 21
    service.save()
    snapshot = cache.service_get(service.id)
    started = time.monotonic()
    accepted = 0
    for _ in range(40):
        try:
            limits.check_rate_limit(service=snapshot, key_type="normal")
            accepted += 1
        except RateLimitError:
            pass
    elapsed = time.monotonic() - started

    assert 21 <= accepted <= 21 + int(elapsed) + 1


def _redis_commands(monkeypatch) -> list[tuple]:
    from notifications import redis_client

    client = redis_client.get_client()
    sent = []
    execute = client.execute_command

    def record(*args, **kwargs):
        sent.append((str(args[0]).upper(), *args[1:]))
        return execute(*args, **kwargs)

    monkeypatch.setattr(client, "execute_command", record)
    return sent


@pytest.fixture
def counts_in_batches(settings, monkeypatch):
    """Tasks go to a broker (not in-process), so counts leave in batches;
    the counting thread waits long enough that only ``flush_counts`` sends
    them."""
    from celery import current_app

    from deliveries import tasks as delivery_tasks

    monkeypatch.setattr(delivery_tasks, "queue_delivery", lambda **kwargs: None)
    monkeypatch.setattr(current_app.conf, "task_always_eager", False)
    settings.DELIVERY_PUBLISH_INTERVAL_MS = 60_000
    settings.DELIVERY_BATCH_SIZE = 1_000
    limits.flush_counts()
    yield
    limits.flush_counts()


def _daily_count(service, kind="email") -> int:
    from notifications import redis_client

    key = limits._counter_key(str(service.id), kind)
    return int(redis_client.get_client().get(key))


def test_a_warm_send_costs_one_redis_round_trip(
    live, email_template, committed, counts_in_batches, monkeypatch
):
    assert committed(live, EMAIL, email_body(email_template)).status_code == 201
    sent = _redis_commands(monkeypatch)

    assert committed(live, EMAIL, email_body(email_template)).status_code == 201

    assert [command[0] for command in sent] == ["EVALSHA"]


def test_counts_of_many_sends_leave_in_one_redis_call(
    live, email_template, service, committed, counts_in_batches, monkeypatch
):
    assert committed(live, EMAIL, email_body(email_template)).status_code == 201
    limits.flush_counts()
    sent = _redis_commands(monkeypatch)

    for _ in range(5):
        assert committed(live, EMAIL, email_body(email_template)).status_code == 201
    checks = len(sent)
    limits.flush_counts()

    assert checks == 5
    assert [command[0] for command in sent[checks:]] == ["EVALSHA"]
    assert _daily_count(service) == 6


def test_counts_are_added_by_the_flush_not_in_the_request(
    live, email_template, service, committed, counts_in_batches
):
    assert committed(live, EMAIL, email_body(email_template)).status_code == 201
    assert committed(live, EMAIL, email_body(email_template)).status_code == 201
    before = _daily_count(service)

    limits.flush_counts()

    assert (before, _daily_count(service)) == (0, 2)


def test_a_script_redis_does_not_know_is_sent_once(
    live, email_template, service, committed, monkeypatch
):
    """As after a Redis restart: the SHA is unknown, the text follows."""
    import uuid

    unknown = limits._Script(f"{limits._RATE_LIMIT_SCRIPT.text}-- {uuid.uuid4()}")
    monkeypatch.setattr(limits, "_RATE_LIMIT_SCRIPT", unknown)
    service.email_daily_limit = 2
    service.save()
    sent = _redis_commands(monkeypatch)

    statuses = [
        committed(live, EMAIL, email_body(email_template)).status_code for _ in range(3)
    ]

    assert statuses == [201, 201, 429]
    assert [command[:2] for command in sent].count(("EVAL", unknown.text)) == 1
