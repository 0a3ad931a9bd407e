"""Fault injection against real Celery workers on Redis and PostgreSQL.

Every scenario checks the same invariants once the pipeline has settled:

- nothing lost: every accepted notification ends in a final status;
- nothing sent twice unless counted: the fake providers' cross-process
  counter shows each notification handed over once, except those flagged
  ``needs_reconciliation`` (an ambiguous outcome, which the scenario then
  counts exactly);
- nothing left behind: no attempt still in progress, no receipt unapplied.

Each scenario writes its figures to ``var/fault-injection/<name>.json``.
The CI tier uses tens of notifications; the slow tier repeats the worker
kill with more.
"""

import contextlib
import io
import json
import time

import pytest
from django.core.management import call_command

from deliveries import selectors
from deliveries.models import AttemptOutcome, DeliveryAttempt, DeliveryReceipt
from deliveries.receipts import receipt_accept
from notifications.models import Notification
from notifications.statuses import FINAL_STATUSES
from providers import fake
from providers.base import ReceiptEvent
from tests import factories
from tests.e2e.conftest import (
    FAST_PIPELINE,
    ROOT,
    accept_notifications,
    wait_until,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

RESULTS = ROOT / "var" / "fault-injection"


@pytest.fixture
def fakes():
    fake.reset()
    yield fake
    fake.reset()


@pytest.fixture
def templates(transactional_db):
    service = factories.service()
    return {
        "email": factories.email_template(service=service),
        "sms": factories.sms_template(service=service),
    }


def accept(templates, channel: str, count: int, **fields) -> list:
    template = templates[channel]
    return accept_notifications(
        service=template.service, template=template, count=count, **fields
    )


def in_progress() -> int:
    return DeliveryAttempt.objects.filter(outcome=AttemptOutcome.IN_PROGRESS).count()


def settle(ids: list, *, timeout: float = 120) -> None:
    """Wait until every notification is final and no attempt is open."""

    def settled():
        open_notifications = (
            Notification.objects.filter(id__in=ids)
            .exclude(status__in=FINAL_STATUSES)
            .count()
        )
        return open_notifications == 0 and in_progress() == 0

    wait_until(settled, timeout=timeout, interval=0.5)


def ledger(name: str, ids: list) -> dict:
    """What happened to ``ids``: statuses, sends per notification, flags;
    written to var/fault-injection/<name>.json."""
    rows = list(
        Notification.objects.filter(id__in=ids).values(
            "id", "status", "needs_reconciliation", "attempt_count"
        )
    )
    sends = {str(row["id"]): fake.sent_count(row["id"]) for row in rows}
    figures = {
        "accepted": len(ids),
        "statuses": _count(row["status"] for row in rows),
        "handed_over_once": sum(1 for count in sends.values() if count == 1),
        "never_handed_over": sorted(k for k, count in sends.items() if count == 0),
        "handed_over_twice_or_more": sorted(
            k for k, count in sends.items() if count > 1
        ),
        "flagged_for_reconciliation": sorted(
            str(row["id"]) for row in rows if row["needs_reconciliation"]
        ),
        "attempts": sum(row["attempt_count"] for row in rows),
        "counts": selectors.reconciliation_counts(),
        "sends": sends,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2))
    return figures


def _count(values) -> dict:
    counts: dict = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def assert_invariants(figures: dict, ids: list) -> None:
    assert len(ids) == figures["accepted"]
    assert sum(figures["statuses"].values()) == len(ids), "a notification was lost"
    assert set(figures["statuses"]) <= FINAL_STATUSES
    duplicates = set(figures["handed_over_twice_or_more"])
    assert duplicates <= set(figures["flagged_for_reconciliation"]), (
        "a notification was sent twice without being flagged"
    )
    assert all(figures["sends"][key] <= 2 for key in duplicates)
    assert figures["counts"]["attempts_in_progress"] == 0


def worker_env(**extra) -> dict:
    return {**FAST_PIPELINE, **extra}


# 1. The worker is killed (SIGKILL) in the middle of a send, then restarted.


def test_worker_killed_during_provider_calls_loses_nothing(
    fakes, templates, start_worker, start_beat
):
    env = worker_env(FAKE_PROVIDER_LATENCY_MS=2000)
    worker = start_worker(concurrency=4, **env)
    start_beat(**env)
    ids = accept(templates, "email", 10) + accept(templates, "sms", 10)

    wait_until(lambda: in_progress() >= 3, timeout=30)
    worker.kill()
    lost_in_flight = in_progress()
    start_worker(concurrency=4, **env)
    settle(ids)

    figures = ledger("worker-killed-during-call", ids)
    assert_invariants(figures, ids)
    assert figures["statuses"] == {"delivered": 20}
    # The calls cut short never reached the provider (it answers after its
    # latency): each is flagged, and sent once, after the restart.
    assert lost_in_flight >= 3
    assert len(figures["flagged_for_reconciliation"]) == lost_in_flight
    assert figures["handed_over_twice_or_more"] == []
    assert figures["handed_over_once"] == 20


def test_worker_killed_after_provider_accepted_counts_the_duplicates(
    fakes, templates, start_worker, start_beat, postgres_proxy
):
    env = worker_env(FAKE_PROVIDER_LATENCY_MS=1500)
    worker = start_worker(concurrency=4, DATABASE_URL=postgres_proxy.url, **env)
    start_beat(**env)
    ids = accept(templates, "sms", 12)

    # Freeze the worker's database while its sends are with the provider:
    # each send is accepted, then cannot be recorded; then kill the worker.
    wait_until(lambda: in_progress() >= 3, timeout=30)
    postgres_proxy.set_mode("blackhole")
    time.sleep(2.5)
    handed_over_before_kill = fake.sent_total()
    worker.kill()
    unrecorded = in_progress()
    postgres_proxy.set_mode("pass")
    postgres_proxy.reset_connections()
    start_worker(concurrency=4, DATABASE_URL=postgres_proxy.url, **env)
    settle(ids)

    figures = ledger("worker-killed-after-acceptance", ids)
    assert_invariants(figures, ids)
    assert figures["statuses"] == {"delivered": 12}
    assert unrecorded >= 3
    assert handed_over_before_kill >= unrecorded
    # Every send whose acceptance was never recorded was flagged; those the
    # provider had taken were sent again: the duplicates, counted.
    assert len(figures["flagged_for_reconciliation"]) == unrecorded
    assert 1 <= len(figures["handed_over_twice_or_more"]) <= unrecorded


@pytest.mark.slow
def test_worker_killed_repeatedly_under_load_loses_nothing(
    fakes, templates, start_worker, start_beat
):
    env = worker_env(FAKE_PROVIDER_LATENCY_MS=300)
    worker = start_worker(concurrency=8, **env)
    start_beat(**env)
    ids = accept(templates, "email", 250) + accept(templates, "sms", 250)
    for _ in range(5):
        time.sleep(2)
        worker.kill()
        worker = start_worker(concurrency=8, **env)
    settle(ids, timeout=300)

    figures = ledger("worker-killed-repeatedly", ids)
    assert_invariants(figures, ids)
    assert figures["statuses"] == {"delivered": 500}


# 2. Redis is unreachable while notifications are accepted, then comes back.


def test_notifications_accepted_while_redis_is_down_are_sent_once_it_is_back(
    fakes, templates, start_worker, start_beat, redis_proxy
):
    env = worker_env(REDIS_URL=redis_proxy.url)
    start_worker(concurrency=4, **env)
    start_beat(**env)

    redis_proxy.set_mode("refuse")
    redis_proxy.reset_connections()
    ids = accept(templates, "email", 10) + accept(templates, "sms", 10)
    time.sleep(3)
    untouched = Notification.objects.filter(id__in=ids, status="created").count()
    redis_proxy.set_mode("pass")
    settle(ids)

    figures = ledger("redis-down-during-accept", ids)
    assert_invariants(figures, ids)
    # Accepted and committed while the broker was away; none started then.
    assert untouched == 20
    assert figures["statuses"] == {"delivered": 20}
    assert figures["handed_over_once"] == 20
    assert figures["flagged_for_reconciliation"] == []


@contextlib.contextmanager
def web_redis(url: str):
    """The test process, acting as the web process, uses the Redis at
    ``url`` for its limits and caches too (the broker is set apart by the
    ``redis_proxy`` fixture)."""
    from django.conf import settings
    from django.test import override_settings

    from notifications import cache as api_cache
    from notifications import redis_client as api_redis

    caches = {"default": {**settings.CACHES["default"], "LOCATION": url}}
    try:
        with override_settings(REDIS_URL=url, CACHES=caches):
            api_cache.clear_local()
            api_redis.reset()
            yield
    finally:
        api_cache.clear_local()
        api_redis.reset()


def test_sends_accepted_by_the_api_while_redis_is_down_are_delivered_once(
    fakes, templates, start_worker, start_beat, redis_proxy, caplog
):
    """The same outage through the real API view: every Redis the web
    process uses (broker, limits, caches) is behind the proxy."""
    from rest_framework.test import APIClient

    from tests.conftest import make_jwt

    env = worker_env(REDIS_URL=redis_proxy.url)
    start_worker(concurrency=4, **env)
    start_beat(**env)
    service = templates["email"].service
    key = factories.api_key(service=service)
    client = APIClient()
    recipients = {"email": "camille@example.org", "sms": "+33612345678"}
    personalisation = {
        "email": {"name": "Camille", "reference": "A-1"},
        "sms": {"code": "123456"},
    }

    def post(channel: str, index: int):
        field = {"email": "email_address", "sms": "phone_number"}[channel]
        return client.post(
            f"/v2/notifications/{channel}",
            {
                field: recipients[channel],
                "template_id": str(templates[channel].id),
                "personalisation": personalisation[channel],
                "reference": f"api-{channel}-{index}",
            },
            format="json",
            HTTP_AUTHORIZATION=f"Bearer {make_jwt(key.secret, service.id)}",
        )

    redis_proxy.set_mode("refuse")
    redis_proxy.reset_connections()
    with web_redis(redis_proxy.url):
        responses = [
            post(channel, i) for channel in ("email", "sms") for i in range(10)
        ]
    time.sleep(3)
    assert [r.status_code for r in responses] == [201] * 20, [
        r.content for r in responses if r.status_code != 201
    ]
    # The API met the outage (limits skipped, publishes refused).
    assert "Redis unreachable: rate limit skipped" in caplog.text
    assert "the relay and sweeps will" in caplog.text
    ids = [r.json()["id"] for r in responses]
    untouched = Notification.objects.filter(id__in=ids, status="created").count()
    redis_proxy.set_mode("pass")
    settle(ids)

    figures = ledger("redis-down-during-api-accept", ids)
    assert_invariants(figures, ids)
    # Every 201 was committed while Redis was away, none started then, and
    # each was delivered once it came back.
    assert untouched == 20
    assert figures["statuses"] == {"delivered": 20}
    assert figures["handed_over_once"] == 20
    assert figures["flagged_for_reconciliation"] == []


# 3. The database connection drops during a send.


def test_database_connection_dropped_during_sends_loses_and_duplicates_nothing(
    fakes, templates, start_worker, start_beat, postgres_proxy
):
    env = worker_env(FAKE_PROVIDER_LATENCY_MS=800)
    start_worker(concurrency=4, DATABASE_URL=postgres_proxy.url, **env)
    start_beat(**env)
    ids = accept(templates, "email", 10) + accept(templates, "sms", 10)

    wait_until(lambda: in_progress() >= 3, timeout=30)
    postgres_proxy.set_mode("refuse")
    cut = postgres_proxy.reset_connections()
    time.sleep(1.5)
    postgres_proxy.set_mode("pass")
    settle(ids)

    figures = ledger("database-dropped-during-send", ids)
    assert_invariants(figures, ids)
    assert cut >= 1
    # The outage is shorter than the recorder's retries: every answer was
    # recorded, nothing is ambiguous, nothing went twice.
    assert figures["statuses"] == {"delivered": 20}
    assert figures["handed_over_once"] == 20
    assert figures["flagged_for_reconciliation"] == []


# 4. Provider errors, time-outs and recovery; failover of a provider down.


def test_provider_errors_then_timeouts_then_recovery(
    fakes, templates, start_worker, start_beat
):
    env = worker_env(SMS_PROVIDERS="providers.fake.FakeSmsProvider")
    start_worker(concurrency=4, **env)
    start_beat(**env)
    fake.set_behaviour("fake-sms", "http-500", count=8)
    ids = accept(templates, "sms", 6)

    def attempts(outcome):
        return DeliveryAttempt.objects.filter(outcome=outcome).count()

    wait_until(lambda: attempts(AttemptOutcome.TEMPORARY_ERROR) >= 8, timeout=60)
    fake.set_behaviour("fake-sms", "timeout", count=3)
    settle(ids)

    figures = ledger("provider-errors-timeouts-recovery", ids)
    assert_invariants(figures, ids)
    assert figures["statuses"] == {"delivered": 6}
    assert attempts(AttemptOutcome.TEMPORARY_ERROR) == 8
    ambiguous = DeliveryAttempt.objects.filter(outcome=AttemptOutcome.UNKNOWN)
    timed_out = set(ambiguous.values_list("notification_id", flat=True))
    # The time-outs lost the request on the way: each notification involved
    # is flagged (a duplicate could not be ruled out), none went twice.
    assert {str(key) for key in timed_out} == set(figures["flagged_for_reconciliation"])
    assert figures["handed_over_once"] == 6


def test_answers_lost_after_the_provider_accepted_are_flagged_and_counted(
    fakes, templates, start_worker, start_beat
):
    """``timeout-after-send``: the provider took the message and the answer
    was lost on the way back, the one duplicate the pipeline cannot rule
    out. Receipts wait (no receipt worker yet), so nothing stops the
    resends: each such notification goes twice, flagged and counted."""
    env = worker_env(SMS_PROVIDERS="providers.fake.FakeSmsProvider")
    start_worker(queues="send-sms,periodic", concurrency=4, **env)
    start_beat(**env)
    fake.set_behaviour("fake-sms", "timeout-after-send", count=3)
    ids = accept(templates, "sms", 6)

    # Six sends, three of them answered by a time-out, then the three
    # resends once the grace period for a receipt is over.
    wait_until(lambda: fake.sent_total() >= 9, timeout=60)
    start_worker(queues="receipts", concurrency=2, **env)
    settle(ids)

    figures = ledger("provider-accepted-answer-lost", ids)
    assert_invariants(figures, ids)
    assert figures["statuses"] == {"delivered": 6}
    lost = DeliveryAttempt.objects.filter(outcome=AttemptOutcome.UNKNOWN)
    lost_answers = {str(key) for key in lost.values_list("notification_id", flat=True)}
    assert len(lost_answers) == 3
    # Each is flagged and sent twice; the others once; none hidden.
    assert set(figures["flagged_for_reconciliation"]) == lost_answers
    assert set(figures["handed_over_twice_or_more"]) == lost_answers
    assert figures["handed_over_once"] == 3
    assert figures["counts"]["notifications_needing_reconciliation"] == 3
    assert figures["counts"]["attempts_unknown"] == 3
    report = io.StringIO()
    call_command("delivery_report", "--json", stdout=report)
    counts = json.loads(report.getvalue())["reconciliation"]
    assert counts["notifications_needing_reconciliation"] == 3


def test_provider_down_for_good_fails_over_to_the_next(
    fakes, templates, start_worker, start_beat
):
    env = worker_env(
        EMAIL_PROVIDERS=(
            "providers.fake.FakeEmailProvider,providers.fake.FakeEmailProvider2"
        ),
        PROVIDER_FAILURE_THRESHOLD=3,
    )
    start_worker(concurrency=4, **env)
    start_beat(**env)
    fake.set_behaviour("fake-email", "down")
    ids = accept(templates, "email", 10)
    settle(ids)

    figures = ledger("provider-down-failover", ids)
    assert_invariants(figures, ids)
    assert figures["statuses"] == {"delivered": 10}
    providers = set(
        Notification.objects.filter(id__in=ids).values_list("provider", flat=True)
    )
    assert providers == {"fake-email-2"}
    assert all(fake.sent_count(key, provider="fake-email-2") == 1 for key in ids)
    failed_on_first = DeliveryAttempt.objects.filter(provider="fake-email").count()
    # Each notification tries the failing provider at most once; the
    # cool-down then skips it for the others.
    assert 1 <= failed_on_first <= 10


# 5. Receipts twice, out of order, and before the send was recorded.


def _receipt(notification, status: str, suffix: str) -> ReceiptEvent:
    return ReceiptEvent(
        provider=notification.provider,
        provider_event_id=f"{notification.provider_reference}-late-{suffix}",
        provider_reference=notification.provider_reference,
        status=status,
    )


def test_receipts_duplicated_reordered_and_early_settle_by_precedence(
    fakes, templates, start_worker, start_beat
):
    env = worker_env(PROVIDER_RECEIPT_SINK="tests.e2e.sinks.reference_only")
    start_worker(concurrency=4, **env)
    start_beat(**env)
    emails = accept(templates, "email", 4)
    sms_delivered = accept(templates, "sms", 2)
    sms_temporary = accept(templates, "sms", 2, recipient="+447700900003")
    sms_permanent = accept(templates, "sms", 2, recipient="+447700900002")
    ids = emails + sms_delivered + sms_temporary + sms_permanent
    settle(ids)

    # Every receipt came before its send was recorded, and was applied on
    # a later try.
    first_receipts = list(DeliveryReceipt.objects.all())
    assert len(first_receipts) == len(ids)
    assert all(receipt.attempts >= 2 for receipt in first_receipts)
    assert {receipt.outcome for receipt in first_receipts} == {"applied"}

    # Replays: the same provider events, twice each.
    for receipt in first_receipts:
        event = ReceiptEvent(
            provider=receipt.provider,
            provider_event_id=receipt.provider_event_id,
            provider_reference=receipt.provider_reference,
            status=receipt.status,
        )
        receipt_accept(event)
        receipt_accept(event)
    assert DeliveryReceipt.objects.count() == len(ids)

    # Out of order: a bounce after delivery, then stale reports; failure
    # reports after an SMS delivery; deliveries after SMS failures.
    by_id = {n.id: n for n in Notification.objects.filter(id__in=ids)}
    late = []
    for key in emails:
        late += [
            _receipt(by_id[key], "permanent-failure", "bounce"),
            _receipt(by_id[key], "pending", "stale-pending"),
            _receipt(by_id[key], "delivered", "stale-delivered"),
        ]
    for key in sms_delivered:
        late += [_receipt(by_id[key], "temporary-failure", "stale")]
    for key in sms_temporary + sms_permanent:
        late += [_receipt(by_id[key], "delivered", "handset")]
    for event in late:
        receipt_accept(event)
    wait_until(
        lambda: not DeliveryReceipt.objects.filter(processed_at__isnull=True).exists(),
        timeout=60,
    )

    figures = ledger("receipts-duplicated-reordered-early", ids)
    assert_invariants(figures, ids)
    statuses = dict(Notification.objects.filter(id__in=ids).values_list("id", "status"))
    assert {statuses[key] for key in emails} == {"permanent-failure"}
    assert {statuses[key] for key in sms_delivered} == {"delivered"}
    assert {statuses[key] for key in sms_temporary + sms_permanent} == {"delivered"}
    assert DeliveryReceipt.objects.count() == len(ids) + len(late)
    assert figures["handed_over_once"] == len(ids)
    assert figures["counts"]["receipts_orphaned"] == 0


# 6. A worker's database statement hangs (a lock held elsewhere).


def test_worker_statement_stuck_on_a_lock_is_cancelled_and_retried(
    fakes, templates, start_worker
):
    from django.db import transaction

    from deliveries import tasks
    from tests.deliveries.conftest import make_notification

    worker = start_worker(
        concurrency=2, **worker_env(WORKER_STATEMENT_TIMEOUT_SECONDS=0.5)
    )
    template = templates["sms"]
    notification = make_notification(service=template.service, template=template)

    # Another session holds the row: the worker's claim (an UPDATE) waits
    # on the lock until its statement time-out cancels it.
    with transaction.atomic():
        Notification.objects.select_for_update().get(id=notification.id)
        tasks.publish_deliveries(notification_ids=[notification.id], channel="sms")
        wait_until(lambda: "statement timeout" in worker.log_text(), timeout=30)
        assert Notification.objects.get(id=notification.id).status == "created"
    settle([notification.id])

    # The task tried again once the lock was gone, and sent it once.
    figures = ledger("worker-statement-stuck-on-a-lock", [notification.id])
    assert_invariants(figures, [notification.id])
    assert figures["statuses"] == {"delivered": 1}
    assert figures["handed_over_once"] == 1
