"""Recording how an attempt ended (step 3 of a send, see
``deliveries.actions.sending``): the attempt's outcome, then the
notification's status and hand-over (``sent_at``, provider reference), in
one transaction; a retryable failure goes on to ``retries``.

An acceptance of an attempt the reconciliation sweep closed meanwhile is
recorded as ``accepted-late`` (``_record_late_acceptance``). Failover
counting (``_count_for_failover``) tells the registry how each real
provider call went.
"""

import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from notifications.models import Notification
from notifications.statuses import Event, NotificationStatus, is_final
from providers import registry

from ..models import AttemptOutcome, DeliveryAttempt
from .attempts import ACCEPTANCES, AttemptResult
from .common import (
    DATABASE_GONE,
    combined_statements,
    notification_move,
    run_with_db_retry,
    update_sql,
)
from .receipts import receipts_release_for_reference
from .retries import _retry_or_give_up

logger = logging.getLogger(__name__)

S = NotificationStatus


def _count_for_failover(result: AttemptResult) -> None:
    if result.outcome == AttemptOutcome.ACCEPTED:
        registry.record_success(result.provider)
    elif result.retryable:
        registry.record_failure(result.provider)


def _record(result: AttemptResult) -> None:
    """Record the provider's answer; when the database stays away, hand it
    to a task rather than forget it."""
    from deliveries import tasks

    try:
        run_with_db_retry(
            lambda: attempt_record_result(result=result),
            attempts=settings.DELIVERY_RECORD_RETRIES + 1,
        )
    except DATABASE_GONE:
        logger.warning(
            "Could not record attempt %s of notification %s; handing it to a task",
            result.attempt_id,
            result.notification_id,
            extra={"notification_id": str(result.notification_id)},
        )
        tasks.publish_attempt_result(result=result)


def attempt_record_result(*, result: AttemptResult) -> None:
    """Record how an attempt ended and move the notification accordingly.
    Recording the same result twice changes nothing (the attempt must still
    be ``in-progress``), except that an acceptance of an attempt the
    reconciliation sweep closed meanwhile is recorded as a late one."""
    accepted = result.outcome == AttemptOutcome.ACCEPTED
    if accepted and combined_statements():
        # The common case, in one round trip.
        if _record_acceptance_in_one_statement(result):
            _after_acceptance(result)
        else:
            _record_late_acceptance(result)
        return
    _record_result(result)


@transaction.atomic
def _record_result(result: AttemptResult) -> None:
    finished = DeliveryAttempt.objects.filter(
        id=result.attempt_id, outcome=AttemptOutcome.IN_PROGRESS
    ).update(
        outcome=result.outcome,
        finished_at=result.finished_at,
        provider_reference=result.provider_reference,
        error=result.error,
    )
    if not finished:
        if result.outcome == AttemptOutcome.ACCEPTED:
            _record_late_acceptance(result)
        return

    if result.outcome == AttemptOutcome.ACCEPTED:
        # The status does not change here (it is ``sending``, or a receipt
        # already moved it further); only what we know of the hand-over.
        Notification.objects.filter(id=result.notification_id).update(
            sent_at=result.finished_at,
            provider=result.provider,
            provider_reference=result.provider_reference,
        )
        _after_acceptance(result)
    elif result.retryable:
        _retry_or_give_up(result)
    else:
        _record_rejection(result)


def _record_acceptance_in_one_statement(result: AttemptResult) -> bool:
    finish, finish_params = update_sql(
        DeliveryAttempt.objects.filter(
            id=result.attempt_id, outcome=AttemptOutcome.IN_PROGRESS
        ),
        outcome=result.outcome,
        finished_at=result.finished_at,
        provider_reference=result.provider_reference,
        error=result.error,
    )
    notifications = Notification._meta.db_table
    # Built from ORM-compiled SQL and our table names; values are parameters.
    statement = (
        f"WITH finished AS ({finish} RETURNING notification_id) "  # noqa: S608
        f"UPDATE {notifications} SET sent_at = %s, provider = %s, "
        "provider_reference = %s FROM finished "
        f"WHERE {notifications}.id = finished.notification_id RETURNING 1"
    )
    params = (
        *finish_params,
        result.finished_at,
        result.provider,
        result.provider_reference,
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone() is not None


@transaction.atomic
def _record_late_acceptance(result: AttemptResult) -> None:
    """Record an acceptance whose attempt the reconciliation sweep closed as
    unknown meanwhile (the worker was cut from the database for longer than
    ``DELIVERY_STALE_ATTEMPT_SECONDS``, then recorded its answer): the
    provider had the message after all.

    The attempt becomes ``accepted-late`` with its provider reference, so
    receipts for it match (those already set aside are applied again). A
    notification still waiting for its resend (``created``) is taken back
    to ``sending`` as if the answer had come in time, and not sent again;
    its reconciliation is closed unless another attempt is still unsure.
    When the resend already left, the notification keeps its flag, and an
    accepted resend is a confirmed duplicate (``delivery_report``).
    Recording an acceptance twice changes nothing."""
    closed = DeliveryAttempt.objects.filter(
        id=result.attempt_id, outcome=AttemptOutcome.UNKNOWN
    ).update(
        outcome=AttemptOutcome.ACCEPTED_LATE,
        finished_at=result.finished_at,
        provider_reference=result.provider_reference,
        error="",
    )
    if not closed:
        return

    hand_over = {
        "sent_at": result.finished_at,
        "provider": result.provider,
        "provider_reference": result.provider_reference,
    }
    taken_back = _take_back(result, hand_over)
    if not taken_back:
        # A receipt or the resend got there first; keep what we know of
        # the hand-over unless the resend's acceptance holds it already.
        Notification.objects.filter(
            id=result.notification_id, sent_at__isnull=True
        ).update(**hand_over)
    receipts_release_for_reference(
        provider=result.provider, provider_reference=result.provider_reference
    )
    _log_late_acceptance(result, taken_back)


def _take_back(result: AttemptResult, hand_over: dict) -> bool:
    """Move a notification still waiting for its resend back to where the
    acceptance would have left it; return whether it moved."""
    reported = result.reported_status
    if not (reported and is_final(reported)):
        reported = None
    still_unsure = Exists(
        DeliveryAttempt.objects.filter(
            notification_id=OuterRef("id"),
            outcome__in=(AttemptOutcome.UNKNOWN, AttemptOutcome.IN_PROGRESS),
        )
    )
    return notification_move(
        notification_id=result.notification_id,
        event=Event.ACCEPTED_LATE,
        target=reported or S.SENDING,
        reported=reported,
        needs_reconciliation=still_unsure,
        **hand_over,
    )


def _log_late_acceptance(result: AttemptResult, taken_back: bool) -> None:
    later = list(
        DeliveryAttempt.objects.filter(
            notification_id=result.notification_id, id__gt=result.attempt_id
        ).values_list("id", "outcome")
    )
    resent = [attempt_id for attempt_id, outcome in later if outcome in ACCEPTANCES]
    if taken_back:
        what = "not sent again"
    elif resent:
        what = f"the resend (attempt {resent[0]}) was accepted too: a duplicate"
    elif later:
        what = f"the resend (attempt {later[0][0]}) may duplicate it"
    else:
        what = "its notification had moved on"
    logger.warning(
        "Attempt %s of notification %s accepted by %s after its reconciliation; %s",
        result.attempt_id,
        result.notification_id,
        result.provider,
        what,
        extra={
            "notification_id": str(result.notification_id),
            "provider": result.provider,
            "attempt_id": result.attempt_id,
            "duplicate": bool(resent),
        },
    )


def _after_acceptance(result: AttemptResult) -> None:
    if result.reported_status and is_final(result.reported_status):
        notification_move(
            notification_id=result.notification_id,
            event=Event.ACCEPTED,
            target=result.reported_status,
            reported=result.reported_status,
        )
    duration_ms = None
    if result.started_at is not None:
        elapsed = result.finished_at - result.started_at
        duration_ms = int(elapsed.total_seconds() * 1000)
    logger.info(
        "Notification %s handed to %s in %s ms",
        result.notification_id,
        result.provider,
        duration_ms,
        extra={
            "notification_id": str(result.notification_id),
            "provider": result.provider,
            "duration_ms": duration_ms,
        },
    )


def _record_rejection(result: AttemptResult) -> None:
    status = result.reported_status or S.TECHNICAL_FAILURE
    notification_move(
        notification_id=result.notification_id,
        event=Event.REJECTED,
        target=status,
        reported=status,
    )
    logger.warning(
        "Provider %s refused notification %s: %s",
        result.provider,
        result.notification_id,
        status,
        extra={
            "provider": result.provider,
            "notification_id": str(result.notification_id),
        },
    )
