from django.contrib import admin

from .models import DeliveryAttempt, DeliveryReceipt


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(admin.ModelAdmin):
    list_display = [
        "notification_id",
        "provider",
        "outcome",
        "started_at",
        "finished_at",
    ]
    list_filter = ["provider", "outcome"]
    search_fields = ["notification__id", "provider_reference"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DeliveryReceipt)
class DeliveryReceiptAdmin(admin.ModelAdmin):
    list_display = [
        "provider",
        "status",
        "notification_id",
        "received_at",
        "processed_at",
        "outcome",
        "attempts",
    ]
    # "Notification inconnue" lists the receipts set aside after their
    # retries: operators check them against the provider.
    list_filter = ["provider", "status", "outcome"]
    search_fields = ["notification_id", "provider_reference", "provider_event_id"]
    date_hierarchy = "received_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
