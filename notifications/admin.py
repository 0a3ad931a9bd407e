"""Operators see notifications' metadata; recipients and personalisation
are personal data and are not listed."""

from django.contrib import admin

from .models import Job, Notification


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
