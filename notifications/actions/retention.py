"""Retention: personal data is erased once the service's retention period
for its channel has passed (7 days by default, 3 to 90 days per service).

A notification keeps its row, without personal data, for the counts
(dashboard, operators' reports): its recipient, personalisation and
one-click unsubscribe URL are blanked, the error texts of its delivery
attempts (a provider may quote the address) too, and ``redacted_at`` is
set; the API then answers 404 for it, as Notify does once a notification
has left its retention. Received text messages past the service's SMS
retention are deleted, as Notify deletes them, and the security audit
trail after ``AUDIT_RETENTION_DAYS``.

Only notifications in a final status are erased: one still on its way
keeps what it needs to be sent, and the 72-hour time-out makes every
notification final before the shortest retention (3 days) ends.
"""

import dataclasses
import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from deliveries import actions as delivery_actions
from services import audit

from .. import selectors
from ..models import Notification

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000


@dataclasses.dataclass
class RetentionReport:
    notifications_redacted: int = 0
    received_texts_deleted: int = 0
    audit_events_deleted: int = 0
    # False when the run stopped at its batch limit with work left: the
    # next run goes on.
    complete: bool = True


def personal_data_erase_expired(
    *, now: dt.datetime | None = None, max_batches: int = 50
) -> RetentionReport:
    """Erase the personal data whose retention has passed, in batches of
    ``BATCH_SIZE`` rows (each its own short transaction), at most
    ``max_batches`` of them per call; safe to run twice or concurrently."""
    now = now or timezone.now()
    report = RetentionReport()
    batches = 0
    groups = selectors.retention_groups(now=now)
    for channel, days, cutoff in groups:
        expired = selectors.notifications_past_retention(
            channel=channel, days=days, cutoff=cutoff
        )
        while batches < max_batches:
            batches += 1
            redacted = _redact_batch(expired, now)
            report.notifications_redacted += redacted
            if redacted < BATCH_SIZE:
                break
        else:
            report.complete = False
    for channel, days, cutoff in groups:
        if channel == "sms":
            texts = selectors.received_texts_past_retention(days=days, cutoff=cutoff)
            report.received_texts_deleted += texts.delete()[0]
    audit_cutoff = now - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    report.audit_events_deleted = audit.audit_events_prune(before=audit_cutoff)

    logger.info(
        "Retention: %s notifications redacted, %s received texts and %s audit "
        "events deleted",
        report.notifications_redacted,
        report.received_texts_deleted,
        report.audit_events_deleted,
        extra=dataclasses.asdict(report),
    )
    return report


def _redact_batch(expired, now: dt.datetime) -> int:
    with transaction.atomic():
        ids = list(
            expired.select_for_update(skip_locked=True, of=("self",)).values_list(
                "id", flat=True
            )[:BATCH_SIZE]
        )
        if not ids:
            return 0
        delivery_actions.attempt_errors_erase(notification_ids=ids)
        return Notification.objects.filter(id__in=ids).update(
            recipient="",
            normalised_recipient="",
            personalisation={},
            one_click_unsubscribe_url="",
            redacted_at=now,
        )
