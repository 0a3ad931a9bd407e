"""Celery tasks that hand notifications to providers, apply receipts and
run the sweeps.

Tasks pass ids, stay thin and are safe to run twice: the actions check the
current status before doing anything. The retry policy lives here; the
business decisions (back-off of provider errors, reconciliation) live in
the actions, which store them in the database.
"""

import logging
import random
import time
import uuid

from celery import shared_task
from django.conf import settings

from . import actions
from .publisher import publisher

logger = logging.getLogger(__name__)

QUEUE_FOR_CHANNEL = {"email": "send-email", "sms": "send-sms"}

# After the broker fails a publish, this process skips, until this time
# (``time.monotonic()``), the publishes that have a safety net (retry
# countdowns: the relay; receipt retries: the receipt sweep). A Redis that
# hangs, rather than refuses, costs each publish its socket time-outs and
# retries (about 6 s), and a worker records a batch's failed results one
# after the other: without the pause, a batch of 100 failures would wait
# ten minutes on the broker.
_paused_until = 0.0


def _publish_paused() -> bool:
    return time.monotonic() < _paused_until


def _pause_publishing() -> None:
    global _paused_until
    _paused_until = time.monotonic() + settings.DELIVERY_PUBLISH_PAUSE_SECONDS


def queue_delivery(*, notification_id: uuid.UUID, channel: str) -> None:
    """Hand a committed notification to the batching publisher (see
    ``deliveries.publisher``): it leaves with others a few milliseconds
    later, and the request never waits on the broker. A lost buffer or a
    broker failure leaves the row to the relay."""
    publisher.add(
        task_name=deliver_notifications.name,
        queue=QUEUE_FOR_CHANNEL[channel],
        item_id=notification_id,
    )


def publish_deliveries(*, notification_ids: list, channel: str) -> int:
    """Publish batch tasks for ``notification_ids`` now, in order; return
    how many the broker took. A broker failure is logged, never raised."""
    ids = [str(notification_id) for notification_id in notification_ids]
    size = settings.DELIVERY_BATCH_SIZE
    for start in range(0, len(ids), size):
        try:
            deliver_notifications.apply_async(
                args=[ids[start : start + size]], queue=QUEUE_FOR_CHANNEL[channel]
            )
        except Exception:
            logger.exception(
                "Could not publish %s notifications; the relay will",
                len(ids) - start,
                extra={"count": len(ids) - start},
            )
            _pause_publishing()
            return start
    return len(ids)


def publish_delivery(
    *, notification_id: uuid.UUID, channel: str, countdown: float | None = None
) -> bool:
    """Publish the delivery task of one committed notification now (a
    retry's countdown); return whether the broker took it. A broker
    failure is logged, never raised: the relay publishes it again. After a
    failure, this process leaves the next ones to the relay for
    ``DELIVERY_PUBLISH_PAUSE_SECONDS`` (see ``_paused_until``)."""
    extra = {"notification_id": str(notification_id)}
    if _publish_paused():
        logger.info(
            "Broker failing: notification %s left to the relay",
            notification_id,
            extra=extra,
        )
        return False
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
            extra=extra,
        )
        _pause_publishing()
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


def queue_receipt(*, receipt_id: uuid.UUID) -> None:
    """Hand a stored receipt to the batching publisher; a lost buffer or a
    broker failure leaves it to the receipt sweep."""
    publisher.add(
        task_name=process_delivery_receipts.name, queue="receipts", item_id=receipt_id
    )


def publish_receipt(*, receipt_id: uuid.UUID, countdown: float | None = None) -> bool:
    """Publish the task that applies a stored receipt; on a broker failure
    (or within the pause after one) the receipt sweep publishes it later."""
    extra = {"receipt_id": str(receipt_id)}
    if _publish_paused():
        logger.info(
            "Broker failing: receipt %s left to the sweep", receipt_id, extra=extra
        )
        return False
    try:
        process_delivery_receipt.apply_async(
            args=[str(receipt_id)], queue="receipts", countdown=countdown
        )
    except Exception:
        logger.exception(
            "Could not publish receipt %s; the sweep will", receipt_id, extra=extra
        )
        _pause_publishing()
        return False
    return True


@shared_task(bind=True, name="deliveries.deliver_notifications", max_retries=20)
def deliver_notifications(self, notification_ids: list[str]) -> None:
    """Hand a batch over (the API's path, through the publisher)."""
    try:
        actions.notifications_deliver(
            notification_ids=[uuid.UUID(value) for value in notification_ids]
        )
    except actions.common.DATABASE_GONE as error:
        # Before the provider calls (nothing sent): try again shortly.
        countdown = actions.notification_wait_after_db_error(
            retries=self.request.retries
        )
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task(bind=True, name="deliveries.deliver_notification", max_retries=20)
def deliver_notification(self, notification_id: str) -> None:
    """Hand one notification over (retries after a countdown)."""
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


@shared_task(bind=True, name="deliveries.process_delivery_receipts", max_retries=None)
def process_delivery_receipts(self, receipt_ids: list[str]) -> None:
    """Apply a batch of stored receipts; one whose notification is not
    known yet goes on alone, with the single task's retries."""
    try:
        applied = actions.receipts_apply(
            receipt_ids=[uuid.UUID(value) for value in receipt_ids]
        )
    except actions.common.DATABASE_GONE as error:
        # Applying twice changes nothing: the batch may start again.
        raise self.retry(
            exc=error, countdown=min(60, 2**self.request.retries)
        ) from error
    for receipt_id, application in applied.items():
        if application.outcome is None:
            countdown = _receipt_retry_countdown(application.attempts)
            publish_receipt(receipt_id=receipt_id, countdown=countdown)


@shared_task(name="deliveries.relay_created_notifications")
def relay_created_notifications() -> int:
    """Publish again the notifications still ``created`` past their time;
    make those the broker refused due again at the next tick."""
    taken = actions.notifications_take_for_relay()
    by_channel: dict[str, list] = {}
    for notification_id, channel in taken:
        by_channel.setdefault(channel, []).append(notification_id)
    published = 0
    for channel, notification_ids in by_channel.items():
        count = publish_deliveries(notification_ids=notification_ids, channel=channel)
        published += count
        if count < len(notification_ids):
            unpublished = notification_ids[count:]
            actions.notifications_release_for_relay(notification_ids=unpublished)
    if published:
        logger.info("Relayed %s notifications", published, extra={"count": published})
    return published


@shared_task(name="deliveries.sweep_stale_attempts")
def sweep_stale_attempts() -> int:
    return actions.attempts_reconcile_stale()


@shared_task(name="deliveries.sweep_timed_out_notifications")
def sweep_timed_out_notifications() -> dict:
    return actions.notifications_time_out()


@shared_task(name="deliveries.sweep_unapplied_receipts")
def sweep_unapplied_receipts() -> int:
    receipt_ids = [str(receipt_id) for receipt_id in actions.receipts_to_reapply()]
    size = settings.DELIVERY_BATCH_SIZE
    for start in range(0, len(receipt_ids), size):
        try:
            process_delivery_receipts.apply_async(
                args=[receipt_ids[start : start + size]], queue="receipts"
            )
        except Exception:
            logger.exception(
                "Could not publish %s receipts; the next sweep will",
                len(receipt_ids) - start,
                extra={"count": len(receipt_ids) - start},
            )
            break
    return len(receipt_ids)


@shared_task(name="deliveries.sweep_processed_receipts")
def sweep_processed_receipts() -> int:
    return actions.receipts_prune()
