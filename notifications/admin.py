"""Operators see notifications' metadata; recipients and personalisation
are personal data and are not listed."""

from django.contrib import admin

from .models import IdempotencyRecord, Job, Notification, ReceivedTextMessage


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "service",
        "channel",
        "key_type",
        "status",
        "provider",
        "created_at",
        "sent_at",
        "needs_reconciliation",
    ]
    list_filter = ["channel", "status", "key_type", "needs_reconciliation", "provider"]
    search_fields = ["id", "provider_reference", "service__name"]
    list_select_related = ["service"]
    date_hierarchy = "created_at"
    exclude = ["recipient", "normalised_recipient", "personalisation"]
    readonly_fields = [
        field.name
        for field in Notification._meta.fields
        if field.name not in {"recipient", "normalised_recipient", "personalisation"}
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["original_file_name", "service", "row_count", "created_at"]
    search_fields = ["original_file_name", "service__name"]


@admin.register(ReceivedTextMessage)
class ReceivedTextMessageAdmin(admin.ModelAdmin):
    """Metadata only: the sender's number and the text are personal data."""

    list_display = ["id", "service", "notify_number", "provider", "created_at"]
    search_fields = ["id", "provider_reference", "service__name"]
    list_select_related = ["service"]
    exclude = ["user_number", "content"]
    readonly_fields = [
        "service",
        "notify_number",
        "provider",
        "provider_reference",
        "provider_date",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    """Which keys are held; the kept answer (personal data) is not shown."""

    list_display = ["key", "service", "state", "response_status", "created_at"]
    search_fields = ["key", "service__name", "notification_id"]
    list_select_related = ["service"]
    exclude = ["response_body"]
    readonly_fields = [
        "service",
        "key",
        "fingerprint",
        "state",
        "response_status",
        "notification_id",
        "created_at",
        "locked_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
