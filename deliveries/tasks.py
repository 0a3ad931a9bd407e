"""Celery tasks that hand notifications to providers, apply receipts and
run the sweeps.

Tasks pass ids, stay thin and are safe to run twice: the actions check the
current status before doing anything. The retry policy lives here; the
business decisions (back-off of provider errors, reconciliation) live in
the actions, which store them in the database.
"""

import logging
import random
import uuid

from celery import shared_task
from django.conf import settings

from . import actions

logger = logging.getLogger(__name__)

QUEUE_FOR_CHANNEL = {"email": "send-email", "sms": "send-sms"}


def publish_delivery(
    *, notification_id: uuid.UUID, channel: str, countdown: float | None = None
) -> bool:
    """Publish the delivery task of a committed notification; return whether
    the broker took it. A broker failure is logged, never raised: the row is
    committed, and the relay publishes it again."""
    # TODO(#5): a Redis that hangs (rather than refuses) costs each publish
    # its socket time-outs and retries (about 6 s) inside the API request;
    # a short circuit breaker shared by the process would answer at once
    # and leave the rows to the relay.
    try:
        deliver_notification.apply_async(
            args=[str(notification_id)],
            queue=QUEUE_FOR_CHANNEL[channel],
            countdown=countdown,
        )
    except Exception:
        logger.exception(
            "Could not publish notification %s; the relay will",
            notification_id,
            extra={"notification_id": str(notification_id)},
        )
        return False
    return True


def publish_attempt_result(*, result: actions.AttemptResult) -> bool:
    """Hand a provider's answer that could not be recorded to a task."""
    try:
        record_attempt_result.apply_async(args=[result.to_json()], queue="receipts")
    except Exception:
        logger.exception(
            "Could not publish the result of attempt %s; the reconciliation "
            "sweep will close it",
            result.attempt_id,
            extra={"notification_id": str(result.notification_id)},
        )
        return False
    return True


def publish_receipt(*, receipt_id: uuid.UUID) -> bool:
    """Publish the task that applies a stored receipt; on a broker failure
    the receipt sweep publishes it later."""
    try:
        process_delivery_receipt.apply_async(args=[str(receipt_id)], queue="receipts")
    except Exception:
        logger.exception(
            "Could not publish receipt %s; the sweep will",
            receipt_id,
            extra={"receipt_id": str(receipt_id)},
        )
        return False
    return True


# TODO(#5): one task per notification costs about 15 ms of CPU end to end
# (two Celery tasks, eight statements, Redis round trips); 20,000 emails a
# minute on two cores needs batches: a task that claims many notifications
# in one statement and hands them over concurrently, and receipts applied
# in batches. See the benchmark figures in the issue.
@shared_task(bind=True, name="deliveries.deliver_notification", max_retries=20)
def deliver_notification(self, notification_id: str) -> None:
    try:
        actions.notification_deliver(notification_id=uuid.UUID(notification_id))
    except actions.common.DATABASE_GONE as error:
        # Before the provider call (nothing sent): try again shortly. The
        # relay is the safety net if the retries run out.
        countdown = actions.notification_wait_after_db_error(
            retries=self.request.retries
        )
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task(bind=True, name="deliveries.record_attempt_result", max_retries=120)
def record_attempt_result(self, result: dict) -> None:
    try:
        actions.attempt_record_result(result=actions.AttemptResult.from_json(result))
    except actions.common.DATABASE_GONE as error:
        countdown = min(60, 2**self.request.retries)
        raise self.retry(exc=error, countdown=countdown) from error


def _receipt_retry_countdown(attempts: int) -> float:
    base = settings.DELIVERY_RECEIPT_RETRY_BASE_SECONDS
    return min(300, base * 2 ** max(attempts - 1, 0)) * random.uniform(0.8, 1.2)  # noqa: S311


@shared_task(bind=True, name="deliveries.process_delivery_receipt", max_retries=None)
def process_delivery_receipt(self, receipt_id: str) -> None:
    try:
        applied = actions.receipt_apply(receipt_id=uuid.UUID(receipt_id))
    except actions.common.DATABASE_GONE as error:
        raise self.retry(
            exc=error, countdown=min(60, 2**self.request.retries)
        ) from error
    if applied.outcome is not None:
        return
    # The receipt came before the send was recorded: try again for a while.
    if applied.attempts >= settings.DELIVERY_RECEIPT_MAX_ATTEMPTS:
        actions.receipt_set_aside(receipt_id=uuid.UUID(receipt_id))
        return
    raise self.retry(countdown=_receipt_retry_countdown(applied.attempts))


@shared_task(name="deliveries.relay_created_notifications")
def relay_created_notifications() -> int:
    """Publish again the notifications still ``created`` past their time."""
    taken = actions.notifications_take_for_relay()
    for position, (notification_id, channel) in enumerate(taken):
        if not publish_delivery(notification_id=notification_id, channel=channel):
            unpublished = [row[0] for row in taken[position:]]
            actions.notifications_release_for_relay(notification_ids=unpublished)
            return position
    if taken:
        logger.info("Relayed %s notifications", len(taken), extra={"count": len(taken)})
    return len(taken)


@shared_task(name="deliveries.sweep_stale_attempts")
def sweep_stale_attempts() -> int:
    return actions.attempts_reconcile_stale()


@shared_task(name="deliveries.sweep_timed_out_notifications")
def sweep_timed_out_notifications() -> dict:
    return actions.notifications_time_out()


@shared_task(name="deliveries.sweep_unapplied_receipts")
def sweep_unapplied_receipts() -> int:
    receipt_ids = actions.receipts_to_reapply()
    for receipt_id in receipt_ids:
        if not publish_receipt(receipt_id=receipt_id):
            break
    return len(receipt_ids)


@shared_task(name="deliveries.sweep_processed_receipts")
def sweep_processed_receipts() -> int:
    return actions.receipts_prune()
