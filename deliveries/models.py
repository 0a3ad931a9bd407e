"""Delivery attempts (one call to a provider) and delivery receipts (the
provider's later report)."""

import uuid

from django.db import models


class AttemptOutcome(models.TextChoices):
    IN_PROGRESS = "in-progress", "En cours"
    ACCEPTED = "accepted", "Accepté par le fournisseur"
    TEMPORARY_ERROR = "temporary-error", "Erreur temporaire"
    PERMANENT_ERROR = "permanent-error", "Refus définitif"
    UNKNOWN = "unknown", "Issue inconnue"
    # Accepted, but the answer was recorded after the reconciliation sweep
    # had closed the attempt as unknown: the provider had the message.
    ACCEPTED_LATE = "accepted-late", "Accepté après réconciliation"


class ReceiptOutcome(models.TextChoices):
    APPLIED = "applied", "Appliqué"
    # Late, duplicated or outranked by the current status.
    IGNORED = "ignored", "Sans effet"
    # No notification matched it after every retry.
    ORPHAN = "orphan", "Notification inconnue"


class DeliveryAttempt(models.Model):
    """One call to a provider for one notification."""

    id = models.BigAutoField(primary_key=True)
    notification = models.ForeignKey(
        "notifications.Notification",
        on_delete=models.CASCADE,
        related_name="delivery_attempts",
    )
    provider = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=16,
        choices=AttemptOutcome.choices,
        default=AttemptOutcome.IN_PROGRESS,
    )
    provider_reference = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at"]
        indexes = [
            models.Index(fields=["provider", "started_at"]),
            # The reconciliation sweep looks for attempts left in progress.
            models.Index(
                fields=["started_at"],
                name="attempt_in_progress",
                condition=models.Q(outcome="in-progress"),
            ),
            # A receipt for an earlier attempt finds its notification here.
            models.Index(
                fields=["provider", "provider_reference"],
                name="attempt_provider_reference",
                condition=~models.Q(provider_reference=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.outcome}"

    @property
    def duration_ms(self) -> int | None:
        if self.finished_at is None:
            return None
        return int((self.finished_at - self.started_at).total_seconds() * 1000)


class DeliveryReceipt(models.Model):
    """A provider's report on an attempt, stored raw once per provider
    event; applied to the notification by a task."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.CharField(max_length=64)
    provider_event_id = models.CharField(max_length=255)
    provider_reference = models.CharField(max_length=255, blank=True)
    notification_id = models.UUIDField(null=True, blank=True)
    status = models.CharField(max_length=24)
    occurred_at = models.DateTimeField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # How many times the receipt task tried to apply it (it retries while
    # the notification is not known yet).
    attempts = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=8, choices=ReceiptOutcome.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_event_id"],
                name="unique_receipt_per_provider_event",
            )
        ]
        indexes = [
            models.Index(
                fields=["received_at"],
                name="receipt_unprocessed",
                condition=models.Q(processed_at__isnull=True),
            ),
            # Pruning deletes processed receipts after the retention period.
            models.Index(
                fields=["processed_at"],
                name="receipt_processed",
                condition=models.Q(processed_at__isnull=False),
            ),
            # A late acceptance finds the receipts set aside for its
            # provider reference, to apply them after all.
            models.Index(
                fields=["provider", "provider_reference"],
                name="receipt_orphan_reference",
                condition=models.Q(outcome="orphan"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.status}"
