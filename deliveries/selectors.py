"""Reads for the delivery pipeline and its operators."""

from django.db.models import Count, Exists, OuterRef

from notifications.models import Notification

from .models import AttemptOutcome, DeliveryAttempt, DeliveryReceipt, ReceiptOutcome


def notifications_needing_reconciliation():
    """Notifications a provider may have received twice (or once while we
    recorded a failure): an attempt's outcome was unknown, and it was sent
    again or given up."""
    return Notification.objects.filter(needs_reconciliation=True).order_by(
        "-created_at"
    )


def notifications_sent_twice():
    """Notifications the provider confirmed taking twice: an attempt
    accepted after its reconciliation had sent it again, and another
    attempt accepted too."""
    other_acceptance = DeliveryAttempt.objects.filter(
        notification_id=OuterRef("notification_id"),
        outcome__in=(AttemptOutcome.ACCEPTED, AttemptOutcome.ACCEPTED_LATE),
    ).exclude(id=OuterRef("id"))
    twice = DeliveryAttempt.objects.filter(outcome=AttemptOutcome.ACCEPTED_LATE).filter(
        Exists(other_acceptance)
    )
    return Notification.objects.filter(id__in=twice.values("notification_id"))


def reconciliation_counts() -> dict[str, int]:
    """The counts operators watch (and the fault-injection tests assert):
    notifications flagged for reconciliation, duplicates the provider
    confirmed, attempts whose outcome is unknown or was learnt late,
    attempts still in progress, receipts set aside."""
    return {
        "notifications_needing_reconciliation": (
            notifications_needing_reconciliation().count()
        ),
        "duplicates_confirmed": notifications_sent_twice().count(),
        "attempts_unknown": DeliveryAttempt.objects.filter(
            outcome=AttemptOutcome.UNKNOWN
        ).count(),
        "attempts_accepted_late": DeliveryAttempt.objects.filter(
            outcome=AttemptOutcome.ACCEPTED_LATE
        ).count(),
        "attempts_in_progress": DeliveryAttempt.objects.filter(
            outcome=AttemptOutcome.IN_PROGRESS
        ).count(),
        "receipts_orphaned": DeliveryReceipt.objects.filter(
            outcome=ReceiptOutcome.ORPHAN
        ).count(),
    }


def notification_status_counts() -> dict[str, int]:
    return dict(
        Notification.objects.values_list("status")
        .annotate(count=Count("id"))
        .values_list("status", "count")
    )


def receipts_for_notification(*, notification_id) -> list:
    """The receipts applied to a notification, oldest first (for the back
    office's status history)."""
    return list(
        DeliveryReceipt.objects.filter(notification_id=notification_id).order_by(
            "occurred_at", "received_at"
        )
    )
