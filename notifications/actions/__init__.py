"""Every write of the notifications app, split by sub-domain.

``accept``: accepting emails and SMS (the API, the back office's one-off
send and the platform's own emails); ``idempotency``: the
``Idempotency-Key`` records of the API; ``retention``: erasing personal
data after the service's retention period; ``rows``: the INSERT and UPDATE
statements of the send path, built once.
"""

from .accept import (
    PERSONALISATION,
    RECIPIENT,
    REPLY_TO,
    TEMPLATE,
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
from .retention import RetentionReport, personal_data_erase_expired

__all__ = [
    "PERSONALISATION",
    "RECIPIENT",
    "REPLY_TO",
    "TEMPLATE",
    "AcceptedNotification",
    "RetentionReport",
    "Sender",
    "idempotency_claim",
    "idempotency_complete",
    "idempotency_records_prune",
    "idempotency_release",
    "notification_accept",
    "notification_send_one_off",
    "personal_data_erase_expired",
]
