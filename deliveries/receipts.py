"""The receipt pipeline's entry: store a receipt once, then apply it in a
task. Provider webhooks and the fake providers both come through here."""

import logging

from providers.base import ReceiptEvent

from . import actions, tasks

logger = logging.getLogger(__name__)


def receipt_accept(event: ReceiptEvent) -> None:
    receipt = actions.receipt_store(event=event)
    if receipt is None:
        logger.info(
            "Receipt %s from %s already stored",
            event.provider_event_id,
            event.provider,
            extra={"provider": event.provider},
        )
        return
    tasks.process_delivery_receipt.apply_async(args=[str(receipt.id)], queue="receipts")
