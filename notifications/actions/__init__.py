"""Every write of the notifications app, split by sub-domain.

``accept``: accepting emails and SMS (the API and the back office's one-off
send); ``idempotency``: the ``Idempotency-Key`` records of the API.
"""

from .accept import (
    AcceptedNotification,
    Sender,
    notification_accept,
    notification_send_one_off,
)
from .idempotency import (
    idempotency_claim,
    idempotency_complete,
    idempotency_records_prune,
    idempotency_release,
)

__all__ = [
    "AcceptedNotification",
    "Sender",
    "idempotency_claim",
    "idempotency_complete",
    "idempotency_records_prune",
    "idempotency_release",
    "notification_accept",
    "notification_send_one_off",
]
