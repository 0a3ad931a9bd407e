"""Receipt sinks for end-to-end runs (set ``PROVIDER_RECEIPT_SINK`` in a
worker's environment)."""

import dataclasses

from deliveries import actions, tasks


def reference_only(event) -> None:
    """Behave like an SMS gateway whose receipt overtakes our recording of
    the send: the receipt names the provider's reference only (no
    notification id), and it is first applied at once, while the send is
    still unrecorded, so it cannot match yet. Then it goes the usual way
    (stored, applied by a task that retries)."""
    event = dataclasses.replace(event, notification_id=None)
    receipt = actions.receipt_store(event=event)
    if receipt is None:
        return
    actions.receipt_apply(receipt_id=receipt.id)
    tasks.publish_receipt(receipt_id=receipt.id)
