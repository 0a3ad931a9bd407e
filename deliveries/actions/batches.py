"""Handing a batch of notifications to providers: the same steps as
``sending.notification_deliver`` (claim with the attempt, call outside any
transaction, record), each done once for the whole batch.

- one SELECT loads the batch; one statement claims every notification still
  ``created`` and opens their attempts (a batch delivered twice, or
  overlapping another, claims nothing twice);
- the provider calls run concurrently on a thread pool shared by the
  process, since a call is mostly waiting for the provider;
- one statement records every acceptance; any other outcome goes through
  the per-notification recording (retry, back-off, reconciliation).

A worker killed mid-batch leaves its attempts ``in-progress``: the
reconciliation sweep deals with each as it does for a single send.
"""

import gc
import logging
import os
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from notifications.models import Notification
from notifications.statuses import Event, NotificationStatus

from ..models import AttemptOutcome, DeliveryAttempt
from . import sending
from .attempts import SENDING_FIELDS, AttemptResult
from .common import (
    DATABASE_GONE,
    combined_statements,
    run_with_db_retry,
    status_filter,
    update_sql,
)
from .recording import _after_acceptance, _count_for_failover, _record
from .sending import _call, _is_test, _render, notification_deliver

logger = logging.getLogger(__name__)

S = NotificationStatus

_pool_lock = threading.Lock()
_pools: dict[int, ThreadPoolExecutor] = {}


def _send_pool() -> ThreadPoolExecutor:
    """The process's pool of provider calls (one per process: a forked
    child cannot use its parent's threads)."""
    pid = os.getpid()
    pool = _pools.get(pid)
    if pool is None:
        with _pool_lock:
            pool = _pools.get(pid)
            if pool is None:
                pool = ThreadPoolExecutor(
                    max_workers=settings.DELIVERY_SEND_THREADS,
                    thread_name_prefix="provider-call",
                )
                _pools[pid] = pool
    return pool


def send_pool_shutdown() -> None:
    """Stop this process's pool; its threads' database connections close
    as the threads end (tests: the database is dropped afterwards)."""
    with _pool_lock:
        pool = _pools.pop(os.getpid(), None)
    if pool is not None:
        pool.shutdown(wait=True)
        gc.collect()


def notifications_deliver(*, notification_ids: list[uuid.UUID]) -> Counter:
    """Claim and hand over a batch; return how many ended in each attempt
    outcome (notifications with nothing to do are not counted).

    Database errors before the provider calls propagate (nothing was sent;
    the task tries the batch again). From the calls on, nothing raises."""
    if not combined_statements():
        outcomes = (notification_deliver(notification_id=i) for i in notification_ids)
        return Counter(outcome for outcome in outcomes if outcome)

    ready = _prepare(notification_ids)
    claimed = _claim(ready)
    if not claimed:
        return Counter()

    results = _call_all(claimed)
    real = [r for (n, *_), r in zip(claimed, results, strict=True) if not _is_test(n)]
    _count_failures(real)
    _record_all(results)
    return Counter(result.outcome for result in results)


def _prepare(notification_ids: list[uuid.UUID]) -> list[tuple]:
    """``(notification, message, provider)`` for those still ``created``
    and renderable."""
    notifications = (
        Notification.objects.select_related("service", "template_version")
        .only(*SENDING_FIELDS)
        .filter(id__in=notification_ids, status=S.CREATED)
    )
    # Choosing a provider reads the cool-downs in Redis: once per batch for
    # the notifications on their first attempt.
    chosen = {}
    ready = []
    for notification in notifications:
        message = _render(notification)
        if message is None:
            continue
        key = (notification.channel, _is_test(notification))
        if notification.attempt_count:
            provider = sending._provider_for(notification)
        else:
            if key not in chosen:
                chosen[key] = sending._provider_for(notification)
            provider = chosen[key]
        ready.append((notification, message, provider))
    return ready


def _claim(ready: list[tuple]) -> list[tuple]:
    """Claim the batch and open its attempts in one statement; return
    ``(notification, message, provider, attempt)`` for those claimed."""
    if not ready:
        return []
    now = timezone.now()
    ids = [notification.id for notification, _, _ in ready]
    claim, claim_params = update_sql(
        Notification.objects.filter(id__in=ids).filter(
            status_filter(event=Event.CLAIM, target=S.SENDING)
        ),
        status=S.SENDING,
        updated_at=now,
        attempt_count=F("attempt_count") + 1,
    )
    attempts = DeliveryAttempt._meta.db_table
    # Built from ORM-compiled SQL and our table names; values are parameters.
    statement = (
        f"WITH claimed AS ({claim} RETURNING id), "  # noqa: S608
        "chosen AS (SELECT * FROM unnest(%s::uuid[], %s::text[]) "
        "AS chosen (id, provider)) "
        f"INSERT INTO {attempts} "
        "(notification_id, provider, started_at, outcome, provider_reference, error) "
        "SELECT claimed.id, chosen.provider, %s, %s, '', '' "
        "FROM claimed JOIN chosen ON chosen.id = claimed.id "
        "RETURNING id, notification_id"
    )
    providers = [provider.name for _, _, provider in ready]
    params = (*claim_params, ids, providers, now, AttemptOutcome.IN_PROGRESS)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        opened = {notification_id: attempt_id for attempt_id, notification_id in cursor}

    claimed = []
    for notification, message, provider in ready:
        attempt_id = opened.get(notification.id)
        if attempt_id is None:
            continue
        attempt = DeliveryAttempt(
            id=attempt_id,
            notification_id=notification.id,
            provider=provider.name,
            started_at=now,
        )
        claimed.append((notification, message, provider, attempt))
    return claimed


def _call_all(claimed: list[tuple]) -> list[AttemptResult]:
    """Call the providers, concurrently unless there is one call or the
    caller is inside a transaction: the pool's threads have connections of
    their own (the fakes store receipts), which see only committed rows."""
    if len(claimed) == 1 or connection.in_atomic_block:
        return [_call_one(item) for item in claimed]
    return list(_send_pool().map(_call_one, claimed))


def _call_one(item: tuple) -> AttemptResult:
    _, message, provider, attempt = item
    return _call(provider, message, attempt)


def _count_failures(results: list[AttemptResult]) -> None:
    """Failover counting: every failure counts; one success per provider
    is enough to restart its count."""
    succeeded = set()
    for result in results:
        if result.outcome == AttemptOutcome.ACCEPTED:
            if result.provider in succeeded:
                continue
            succeeded.add(result.provider)
        _count_for_failover(result)


def _record_all(results: list[AttemptResult]) -> None:
    """Every acceptance in one statement (retried on a new connection,
    then handed to tasks one by one); the rest one by one."""
    from deliveries import tasks

    accepted = [r for r in results if r.outcome == AttemptOutcome.ACCEPTED]
    if accepted:
        try:
            recorded = run_with_db_retry(
                lambda: _record_acceptances(accepted),
                attempts=settings.DELIVERY_RECORD_RETRIES + 1,
            )
        except DATABASE_GONE:
            logger.warning(
                "Could not record %s acceptances; handing them to tasks",
                len(accepted),
                extra={"count": len(accepted)},
            )
            for result in accepted:
                tasks.publish_attempt_result(result=result)
        else:
            for result in accepted:
                if result.attempt_id in recorded:
                    _after_acceptance(result)
                else:
                    # Closed already: recorded twice, or closed by the
                    # reconciliation sweep (a late acceptance, which the
                    # per-notification recording keeps).
                    _record(result)
    for result in results:
        if result.outcome != AttemptOutcome.ACCEPTED:
            _record(result)


def _record_acceptances(accepted: list[AttemptResult]) -> set[int]:
    """Close the attempts still ``in-progress`` as accepted and note the
    hand-over on their notifications; return the attempts closed. One
    already closed (by an earlier recording, or by the reconciliation
    sweep) is left to the caller."""
    attempts = DeliveryAttempt._meta.db_table
    notifications = Notification._meta.db_table
    # Our table names only; values are parameters.
    statement = (
        "WITH answer AS (SELECT * FROM unnest(%s::bigint[], "  # noqa: S608
        "%s::timestamptz[], %s::text[], %s::text[]) "
        "AS answer (attempt_id, finished_at, provider, provider_reference)), "
        f"finished AS (UPDATE {attempts} SET outcome = %s, "
        "finished_at = answer.finished_at, "
        "provider_reference = answer.provider_reference, error = '' "
        f"FROM answer WHERE {attempts}.id = answer.attempt_id "
        f"AND {attempts}.outcome = %s "
        f"RETURNING {attempts}.id, {attempts}.notification_id, answer.finished_at, "
        "answer.provider, answer.provider_reference) "
        f"UPDATE {notifications} SET sent_at = finished.finished_at, "
        "provider = finished.provider, "
        "provider_reference = finished.provider_reference "
        f"FROM finished WHERE {notifications}.id = finished.notification_id "
        "RETURNING finished.id"
    )
    params = (
        [result.attempt_id for result in accepted],
        [result.finished_at for result in accepted],
        [result.provider for result in accepted],
        [result.provider_reference for result in accepted],
        AttemptOutcome.ACCEPTED,
        AttemptOutcome.IN_PROGRESS,
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return {row[0] for row in cursor}
