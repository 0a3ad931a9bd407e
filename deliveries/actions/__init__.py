"""Every write of the delivery pipeline: sending (claim, call), recording
an attempt's result, retries, batches of sends, receipts (store once, apply
through the state machine) and sweeps (relay, reconciliation, time-outs,
pruning); retention."""

from .attempts import AttemptResult
from .batches import notifications_deliver
from .common import notification_move, run_with_db_retry, status_filter
from .receipts import (
    ReceiptApplication,
    receipt_apply,
    receipt_set_aside,
    receipt_store,
    receipts_apply,
)
from .recording import attempt_record_result
from .retention import attempt_errors_erase
from .retries import notification_wait_after_db_error, retry_delay
from .sending import notification_claim, notification_deliver
from .sweeps import (
    attempts_reconcile_stale,
    notifications_release_for_relay,
    notifications_take_for_relay,
    notifications_time_out,
    receipts_prune,
    receipts_to_reapply,
)

__all__ = [
    "AttemptResult",
    "ReceiptApplication",
    "attempt_errors_erase",
    "attempt_record_result",
    "attempts_reconcile_stale",
    "notification_claim",
    "notification_deliver",
    "notification_move",
    "notification_wait_after_db_error",
    "notifications_deliver",
    "notifications_release_for_relay",
    "notifications_take_for_relay",
    "notifications_time_out",
    "receipt_apply",
    "receipt_set_aside",
    "receipt_store",
    "receipts_apply",
    "receipts_prune",
    "receipts_to_reapply",
    "retry_delay",
    "run_with_db_retry",
    "status_filter",
]
