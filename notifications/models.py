"""Notifications (one message to one recipient on one channel) and jobs."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from services.models import Channel, KeyType

from .statuses import FINAL_STATUSES, NotificationStatus


class Job(models.Model):
    """A batch (a CSV upload) that creates notifications, one per row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        "services.Service", on_delete=models.CASCADE, related_name="jobs"
    )
    template_version = models.ForeignKey(
        "templates_app.TemplateVersion", on_delete=models.PROTECT, related_name="+"
    )
    original_file_name = models.CharField(max_length=255)
    row_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_file_name


class Notification(models.Model):
    """One message to one recipient on one channel."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        "services.Service", on_delete=models.CASCADE, related_name="notifications"
    )
    template = models.ForeignKey(
        "templates_app.Template", on_delete=models.PROTECT, related_name="+"
    )
    template_version = models.ForeignKey(
        "templates_app.TemplateVersion", on_delete=models.PROTECT, related_name="+"
    )
    api_key = models.ForeignKey(
        "services.ApiKey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    key_type = models.CharField(
        max_length=8, choices=KeyType.choices, default=KeyType.NORMAL
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # The recipient as the caller gave it (whitespace stripped) and as we
    # send to it (E.164 for phone numbers, lowercased for emails). Both are
    # personal data, erased after the retention period.
    recipient = models.CharField(max_length=320, blank=True)
    normalised_recipient = models.CharField(max_length=320, blank=True)
    personalisation = models.JSONField(default=dict, blank=True)
    # The personalisation keys whose stored values were sanitised
    # (``sanitise_content_for``): stored escaped, as Notify stores them and
    # the API returns them, but shown unescaped in the email itself.
    sanitised_keys = models.JSONField(default=list, blank=True)
    # NULL (no reference given) and "" (an empty one) differ on the wire.
    client_reference = models.CharField(  # noqa: DJ001
        max_length=1000, null=True, blank=True
    )
    status = models.CharField(
        max_length=24,
        choices=NotificationStatus.choices,
        default=NotificationStatus.CREATED,
    )
    # The reply-to address (email) or sender (SMS) chosen at acceptance.
    reply_to = models.CharField(max_length=320, blank=True)
    one_click_unsubscribe_url = models.URLField(max_length=2048, blank=True)
    international = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=64, blank=True)
    provider_reference = models.CharField(max_length=255, blank=True)
    billable_units = models.PositiveIntegerField(default=0)
    job = models.ForeignKey(
        Job,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    job_row_number = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when a provider may have accepted the notification but we could
    # not record it (the worker died mid-send): a possible duplicate,
    # counted and shown to operators rather than hidden.
    needs_reconciliation = models.BooleanField(default=False)
    # Calls made to providers so far (each claim is one), and when the relay
    # may publish the notification again while it is ``created``: after a
    # back-off for a retry, or a while after its last publish. NULL means
    # "a short while after created_at" (the publish after commit is first).
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set once the retention period has passed and personal data is erased.
    redacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # GET /v2/notifications: by service and key type, newest first.
            models.Index(
                fields=["service", "key_type", "-created_at"],
                name="notif_service_keytype_created",
            ),
            # Back-office activity and the dashboard.
            models.Index(
                fields=["service", "-created_at"], name="notif_service_created"
            ),
            models.Index(
                fields=["service", "client_reference"],
                name="notif_service_reference",
                condition=Q(client_reference__isnull=False),
            ),
            # Relay and time-outs look only at unfinished notifications.
            models.Index(
                fields=["status", "created_at"],
                name="notif_unfinished",
                condition=~Q(status__in=sorted(FINAL_STATUSES)),
            ),
            # Retention finds the final rows whose personal data is still
            # there (a row enters when it becomes final, in a worker, so the
            # API's INSERT does not maintain this index).
            models.Index(
                fields=["created_at"],
                name="notif_unredacted",
                condition=Q(redacted_at__isnull=True)
                & Q(status__in=sorted(FINAL_STATUSES)),
            ),
            # Operators' count of possible duplicates or losses to check.
            models.Index(
                fields=["created_at"],
                name="notif_reconciliation",
                condition=Q(needs_reconciliation=True),
            ),
            # Receipts find the notification from the provider's reference.
            models.Index(
                fields=["provider", "provider_reference"],
                name="notif_provider_reference",
                condition=~Q(provider_reference=""),
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class IdempotencyRecord(models.Model):
    """The first answer to a send made with an ``Idempotency-Key`` header,
    replayed to retries of the same request for 24 hours."""

    class State(models.TextChoices):
        IN_PROGRESS = "in-progress", "En cours"
        DONE = "done", "Terminée"

    id = models.BigAutoField(primary_key=True)
    service = models.ForeignKey(
        "services.Service", on_delete=models.CASCADE, related_name="+"
    )
    # Keys are scoped per service and key type: a test key's retry must
    # never get a live key's answer.
    key_type = models.CharField(
        max_length=8, choices=KeyType.choices, default=KeyType.NORMAL
    )
    key = models.CharField(max_length=255)
    # SHA-256 of the method, path and canonical JSON body: a retry must
    # send the same request.
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.IN_PROGRESS
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    notification_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    locked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "key_type", "key"],
                name="unique_idempotency_key_per_key_type",
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.key}"


class ReceivedTextMessage(models.Model):
    """A text message a member of the public sent to a service's inbound
    number. Its content and sender are personal data, kept 7 days."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        "services.Service", on_delete=models.CASCADE, related_name="+"
    )
    # The service's number the message was sent to, and the sender's number
    # in E.164 without the "+" (Notify's form).
    notify_number = models.CharField(max_length=32)
    user_number = models.CharField(max_length=32)
    content = models.TextField()
    provider = models.CharField(max_length=64, blank=True)
    provider_reference = models.CharField(max_length=255, blank=True)
    provider_date = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["service", "-created_at"], name="inbound_service_created"
            )
        ]

    def __str__(self) -> str:
        return str(self.id)
