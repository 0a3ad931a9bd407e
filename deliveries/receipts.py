"""The receipt pipeline's entry: store a receipt once, then apply it in a
task. Provider webhooks, anymail's tracking signal and the fake providers
all come through ``receipt_accept``."""

import logging

from django.conf import settings

from providers.base import ReceiptEvent

from . import actions, tasks

logger = logging.getLogger(__name__)


def receipt_accept(event: ReceiptEvent) -> None:
    """Store ``event`` (a replay of the same provider event is a no-op) and
    queue it for the task that applies it (in batches).

    Raise only when storing failed, so that the webhook answers 5xx and the
    provider sends the receipt again; a stale database connection is
    retried on a new one first. A failed or lost publish is logged: the
    receipt is stored, and the receipt sweep applies it later."""
    receipt = actions.run_with_db_retry(
        lambda: actions.receipt_store(event=event),
        attempts=settings.DELIVERY_RECORD_RETRIES + 1,
    )
    if receipt is None:
        logger.info(
            "Receipt %s from %s already stored",
            event.provider_event_id,
            event.provider,
            extra={"provider": event.provider},
        )
        return
    tasks.queue_receipt(receipt_id=receipt.id)
