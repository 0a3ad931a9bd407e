"""What follows a retryable failure: back off (``retry_delay``) and hand
the notification back to ``created`` while the retry budget (attempts and
window) lasts, keep an earlier late acceptance, or give up
(``technical-failure``); and the wait of a delivery task after a database
error (``notification_wait_after_db_error``)."""

import datetime as dt
import logging
import random
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from notifications.models import Notification
from notifications.statuses import Event, NotificationStatus

from ..models import AttemptOutcome, DeliveryAttempt
from .attempts import AttemptResult
from .common import notification_move

logger = logging.getLogger(__name__)

S = NotificationStatus


def retry_delay(*, attempt_count: int, retry_after: float | None = None) -> float:
    """Exponential back-off with equal jitter: the n-th retry waits between
    half and all of ``base × 2^(n-1)``, capped. Jitter spreads the retries
    of a burst that failed together (a provider outage) so they do not
    come back together; the half kept fixed keeps a floor."""
    base = settings.DELIVERY_RETRY_BASE_SECONDS
    ceiling = min(
        settings.DELIVERY_RETRY_MAX_DELAY_SECONDS,
        base * 2 ** max(attempt_count - 1, 0),
    )
    delay = ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 (not crypto)
    return max(delay, retry_after or 0)


def _earlier_attempts(result: AttemptResult) -> dict:
    """When the notification's first attempt started, and whether one of
    its attempts was accepted after its reconciliation, in one query."""
    return DeliveryAttempt.objects.filter(
        notification_id=result.notification_id
    ).aggregate(
        first=Min("started_at"),
        accepted_late=Count("id", filter=Q(outcome=AttemptOutcome.ACCEPTED_LATE)),
    )


def _retry_budget_left(
    result: AttemptResult, attempt_count: int, delay: float, first
) -> bool:
    if attempt_count >= settings.DELIVERY_MAX_ATTEMPTS:
        return False
    next_attempt = result.finished_at + dt.timedelta(seconds=delay)
    window = dt.timedelta(seconds=settings.DELIVERY_RETRY_WINDOW_SECONDS)
    return first is None or next_attempt - first <= window


def _retry_or_give_up(result: AttemptResult) -> None:
    attempt_count = (
        Notification.objects.filter(id=result.notification_id)
        .values_list("attempt_count", flat=True)
        .first()
    ) or 0
    delay = retry_delay(attempt_count=attempt_count, retry_after=result.retry_after)
    if result.ambiguous:
        resend_after = result.resend_after
        if resend_after is None:
            resend_after = settings.DELIVERY_AMBIGUOUS_RESEND_AFTER_SECONDS
        delay = max(delay, resend_after)
    # A possible duplicate is flagged for operators whatever happens next.
    flags = {"needs_reconciliation": True} if result.ambiguous else {}

    earlier = _earlier_attempts(result)
    if earlier["accepted_late"]:
        _keep_late_acceptance(result, flags)
        return
    if not _retry_budget_left(result, attempt_count, delay, earlier["first"]):
        _give_up(result, attempt_count, flags)
        return
    next_attempt_at = timezone.now() + dt.timedelta(seconds=delay)
    handed_back = notification_move(
        notification_id=result.notification_id,
        event=Event.RETRY,
        target=S.CREATED,
        next_attempt_at=next_attempt_at,
        **flags,
    )
    if not handed_back:
        # A receipt got there first: the provider had it after all.
        return
    _log_retry(result, attempt_count, delay)
    if delay <= settings.DELIVERY_COUNTDOWN_MAX_SECONDS:
        _publish_after_commit(result.notification_id, delay)


def _keep_late_acceptance(result: AttemptResult, flags: dict) -> None:
    """A resend failed, but an earlier attempt was accepted late: the
    provider has the message, so it is neither sent again nor failed."""
    if flags:
        Notification.objects.filter(id=result.notification_id).update(**flags)
    logger.warning(
        "Resend of notification %s failed at %s (attempt %s); not retried: an "
        "earlier attempt was accepted",
        result.notification_id,
        result.provider,
        result.attempt_id,
        extra={
            "notification_id": str(result.notification_id),
            "provider": result.provider,
            "attempt_id": result.attempt_id,
        },
    )


def _publish_after_commit(notification_id: uuid.UUID, delay: float) -> None:
    from deliveries import tasks

    channel = (
        Notification.objects.filter(id=notification_id)
        .values_list("channel", flat=True)
        .get()
    )
    transaction.on_commit(
        lambda: tasks.publish_delivery(
            notification_id=notification_id, channel=channel, countdown=delay
        )
    )


def _give_up(result: AttemptResult, attempt_count: int, flags: dict) -> None:
    moved = notification_move(
        notification_id=result.notification_id,
        event=Event.GIVE_UP,
        target=S.TECHNICAL_FAILURE,
        **flags,
    )
    if moved:
        # The provider's error text stays in the attempt row: it may quote
        # the recipient, which logs must not hold.
        logger.error(
            "Notification %s failed after %s attempts; last from %s (attempt %s)",
            result.notification_id,
            attempt_count,
            result.provider,
            result.attempt_id,
            extra={
                "notification_id": str(result.notification_id),
                "provider": result.provider,
            },
        )


def _log_retry(result: AttemptResult, attempt_count: int, delay: float) -> None:
    extra = {
        "notification_id": str(result.notification_id),
        "provider": result.provider,
        "attempt_id": result.attempt_id,
    }
    if result.ambiguous:
        logger.warning(
            "Outcome of notification %s at %s unknown (attempt %s): marked for "
            "reconciliation, sent again in %.0f s",
            result.notification_id,
            result.provider,
            attempt_count,
            delay,
            extra=extra,
        )
        return
    logger.warning(
        "Provider %s failed on notification %s (attempt %s): retry in %.0f s",
        result.provider,
        result.notification_id,
        attempt_count,
        delay,
        extra=extra,
    )


def notification_wait_after_db_error(*, retries: int) -> float:
    """How long a delivery task waits before trying again after the
    database failed before the provider call (nothing was sent)."""
    return min(30.0, 0.5 * 2**retries) + random.uniform(0, 0.5)  # noqa: S311
