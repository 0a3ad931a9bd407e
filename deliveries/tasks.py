"""Celery tasks that hand notifications to providers and apply receipts.

Tasks pass ids, stay thin and are safe to run twice: the actions check the
current status before doing anything.
"""

import logging
import uuid

from celery import shared_task

from providers.base import ProviderTemporaryError

from . import actions, selectors

logger = logging.getLogger(__name__)

QUEUE_FOR_CHANNEL = {"email": "send-email", "sms": "send-sms"}


def publish_delivery(*, notification_id: uuid.UUID, channel: str) -> None:
    """Publish the delivery task; a broker failure is logged, not raised:
    the row is committed and the relay publishes it again."""
    try:
        deliver_notification.apply_async(
            args=[str(notification_id)], queue=QUEUE_FOR_CHANNEL[channel]
        )
    except Exception:
        logger.exception(
            "Could not publish notification %s; the relay will",
            notification_id,
            extra={"notification_id": str(notification_id)},
        )


@shared_task(
    bind=True, name="deliveries.deliver_notification", acks_late=True, max_retries=5
)
def deliver_notification(self, notification_id: str) -> None:
    try:
        actions.notification_deliver(notification_id=uuid.UUID(notification_id))
    except ProviderTemporaryError as error:
        countdown = min(300, 5 * 2**self.request.retries)
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task(
    bind=True,
    name="deliveries.process_delivery_receipt",
    acks_late=True,
    max_retries=10,
)
def process_delivery_receipt(self, receipt_id: str) -> None:
    if not actions.receipt_apply(receipt_id=uuid.UUID(receipt_id)):
        raise self.retry(countdown=min(60, 2**self.request.retries))


@shared_task(name="deliveries.relay_created_notifications", acks_late=True)
def relay_created_notifications() -> int:
    """Publish again notifications still ``created`` after a short delay."""
    count = 0
    for notification_id, channel in selectors.notifications_to_relay():
        publish_delivery(notification_id=notification_id, channel=channel)
        count += 1
    if count:
        logger.info("Relayed %s notifications", count)
    return count
