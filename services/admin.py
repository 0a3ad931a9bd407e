"""Operators' admin for services, members, keys and senders. Secrets are
never shown: API keys list their hash prefix only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    ApiKey,
    GuestListEntry,
    ReplyToAddress,
    Service,
    ServiceMember,
    SmsSender,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["full_name", "mobile_number"]}),
        (
            "Droits",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})
    ]


class ServiceMemberInline(admin.TabularInline):
    model = ServiceMember
    extra = 0
    autocomplete_fields = ["user"]


class ReplyToAddressInline(admin.TabularInline):
    model = ReplyToAddress
    extra = 0


class SmsSenderInline(admin.TabularInline):
    model = SmsSender
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organisation_name",
        "active",
        "restricted",
        "email_daily_limit",
        "sms_daily_limit",
        "rate_limit",
        "created_at",
    ]
    list_filter = ["active", "restricted", "branding", "can_send_international_sms"]
    search_fields = ["name", "organisation_name", "id"]
    readonly_fields = ["id", "created_at", "updated_at", "go_live_requested_at"]
    inlines = [ServiceMemberInline, ReplyToAddressInline, SmsSenderInline]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "service",
        "key_type",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["key_type", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "service__name", "id"]
    list_select_related = ["service"]
    fields = [
        "id",
        "service",
        "name",
        "key_type",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = [
        "id",
        "service",
        "key_type",
        "created_by",
        "created_at",
        "last_used_at",
    ]

    def has_add_permission(self, request) -> bool:
        # A key's secret is shown once, at creation, which the admin cannot
        # do safely: keys are created by the back office or
        # `manage.py create_api_key`.
        return False


@admin.register(GuestListEntry)
class GuestListEntryAdmin(admin.ModelAdmin):
    list_display = ["recipient", "channel", "service", "created_at"]
    list_filter = ["channel"]
    search_fields = ["service__name"]
    list_select_related = ["service"]
