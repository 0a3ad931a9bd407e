"""The periodic work that makes the pipeline lose nothing: the relay, the
reconciliation of attempts whose worker was lost, the time-outs, and the
receipts' re-publication and pruning.

Each sweep is safe to run twice at once (two Beat processes): rows are
taken with ``SELECT … FOR UPDATE SKIP LOCKED`` or changed by conditional
updates.

Reconciliation policy. An attempt still ``in-progress`` after
``DELIVERY_STALE_ATTEMPT_SECONDS`` lost its worker between the provider
call and the recording of its answer (SIGKILL, out of memory, the database
gone for longer than the recorder's retries). The provider may or may not
have the message. We send it again, and flag the notification
``needs_reconciliation`` so the case is counted and shown to operators:

- not sending risks a loss that nobody sees (the notification would sit in
  ``sending`` for 72 hours, then fail), while the services using us send
  things people must receive (codes, appointments, decisions);
- sending again risks a duplicate, which the recipient sees and which is
  harmless for the same text; providers that deduplicate on our
  notification id (Octopush's ``request_id``) remove even that;
- a receipt for the first attempt that arrives in the meantime moves the
  notification out of ``sending``, and then nothing is sent again;
- a worker that was only cut from the database records its answer when it
  gets back: an acceptance then becomes ``accepted-late`` (its provider
  reference kept, so receipts match), takes back a notification still
  waiting for the resend, and otherwise counts as a confirmed duplicate
  once the resend is accepted too (``manage.py delivery_report``).

The same applies to ambiguous provider answers (a read time-out after the
request left), with a grace period for that receipt
(``DELIVERY_AMBIGUOUS_RESEND_AFTER_SECONDS``).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from notifications.models import Notification
from notifications.statuses import Event, NotificationStatus

from ..models import AttemptOutcome, DeliveryAttempt, DeliveryReceipt
from .attempts import AttemptResult
from .common import status_filter
from .recording import attempt_record_result

logger = logging.getLogger(__name__)

S = NotificationStatus
SWEEP_BATCH = 5000


def _seconds(value: float) -> dt.timedelta:
    return dt.timedelta(seconds=value)


def notifications_take_for_relay(*, now: dt.datetime | None = None) -> list[tuple]:
    """Take the ``created`` notifications whose publish is overdue (the
    publish after commit, a countdown or an earlier relay did not lead to a
    claim): return their ``(id, channel)`` and push their next relay
    ``DELIVERY_RELAY_REPUBLISH_SECONDS`` away, so a backlog in the queue is
    not published again at every tick."""
    now = now or timezone.now()
    overdue = now - _seconds(settings.DELIVERY_RELAY_DELAY_SECONDS)
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .annotate(due=Coalesce("next_attempt_at", "created_at"))
            .filter(status=S.CREATED, due__lte=overdue)
            .order_by("created_at")
            .values_list("id", "channel")[: settings.DELIVERY_RELAY_BATCH]
        )
        if rows:
            republish_at = now + _seconds(settings.DELIVERY_RELAY_REPUBLISH_SECONDS)
            Notification.objects.filter(id__in=[row[0] for row in rows]).update(
                next_attempt_at=republish_at
            )
    return rows


def notifications_release_for_relay(*, notification_ids: list) -> None:
    """Make notifications the relay could not publish due again at once."""
    Notification.objects.filter(id__in=notification_ids, status=S.CREATED).update(
        next_attempt_at=None
    )


def attempts_reconcile_stale(*, now: dt.datetime | None = None) -> int:
    """Close the attempts that lost their worker (see the module docstring):
    their notifications are flagged ``needs_reconciliation`` and sent
    again. Return how many were closed."""
    now = now or timezone.now()
    cutoff = now - _seconds(settings.DELIVERY_STALE_ATTEMPT_SECONDS)
    stale = list(
        DeliveryAttempt.objects.filter(
            outcome=AttemptOutcome.IN_PROGRESS, started_at__lt=cutoff
        ).values_list("id", "notification_id", "provider")[:SWEEP_BATCH]
    )
    for attempt_id, notification_id, provider in stale:
        attempt_record_result(
            result=AttemptResult(
                attempt_id=attempt_id,
                notification_id=notification_id,
                provider=provider,
                outcome=AttemptOutcome.UNKNOWN,
                finished_at=now,
                error="The worker was lost during the call; outcome unknown",
                retryable=True,
                ambiguous=True,
                resend_after=0,
            )
        )
    if stale:
        logger.warning(
            "Closed %s attempts that lost their worker; their notifications are "
            "marked for reconciliation",
            len(stale),
            extra={"count": len(stale)},
        )
    return len(stale)


def _bounded(queryset):
    return queryset.values_list("id", flat=True)[:SWEEP_BATCH]


def notifications_time_out(*, now: dt.datetime | None = None) -> dict[str, int]:
    """``sending``/``pending`` notifications older than the time-out become
    ``temporary-failure``; ``created`` ones (never handed over) become
    ``technical-failure``. Return the counts."""
    now = now or timezone.now()
    cutoff = now - _seconds(settings.DELIVERY_SENDING_TIMEOUT_SECONDS)
    counts = {}
    for event, target in (
        (Event.TIMEOUT, S.TEMPORARY_FAILURE),
        (Event.GIVE_UP, S.TECHNICAL_FAILURE),
    ):
        condition = status_filter(event=event, target=target)
        if event == Event.GIVE_UP:
            # In-flight ``sending`` rows belong to the reconciliation sweep.
            condition &= Q(status=S.CREATED)
        ids = _bounded(Notification.objects.filter(condition, created_at__lt=cutoff))
        counts[target] = Notification.objects.filter(
            condition, id__in=list(ids)
        ).update(status=target, updated_at=now)
    if any(counts.values()):
        logger.warning("Timed out notifications: %s", counts, extra=counts)
    return counts


def _receipt_retry_window() -> dt.timedelta:
    base = settings.DELIVERY_RECEIPT_RETRY_BASE_SECONDS
    attempts = settings.DELIVERY_RECEIPT_MAX_ATTEMPTS
    return _seconds(sum(min(300, base * 2**n) for n in range(attempts)))


def receipts_to_reapply(*, now: dt.datetime | None = None) -> list:
    """Stored receipts that no task is applying: never tried (the broker
    was down when they came), or tried and then lost (their retries should
    have finished by now)."""
    now = now or timezone.now()
    grace = _seconds(settings.DELIVERY_RECEIPT_SWEEP_AFTER_SECONDS)
    never_tried = Q(attempts=0, received_at__lt=now - grace)
    lost = Q(received_at__lt=now - grace - _receipt_retry_window())
    return list(
        DeliveryReceipt.objects.filter(processed_at__isnull=True)
        .filter(never_tried | lost)
        .order_by("received_at")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )


def receipts_prune(*, now: dt.datetime | None = None) -> int:
    """Delete processed receipts after the retention period (their raw
    payload is personal data)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.DELIVERY_RECEIPT_RETENTION_DAYS)
    ids = list(
        DeliveryReceipt.objects.filter(processed_at__lt=cutoff).values_list(
            "id", flat=True
        )[:SWEEP_BATCH]
    )
    deleted, _ = DeliveryReceipt.objects.filter(id__in=ids).delete()
    return deleted
