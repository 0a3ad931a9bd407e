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


# Operators' actions on services, and the audit trail.

from django import forms  # noqa: E402
from django.contrib import messages  # noqa: E402
from django.shortcuts import render  # noqa: E402

from . import team  # noqa: E402
from .models import AuditEvent, GoLiveRequest, GoLiveStatus  # noqa: E402


class LimitsForm(forms.Form):
    email_daily_limit = forms.IntegerField(label="Emails par jour", min_value=0)
    sms_daily_limit = forms.IntegerField(label="SMS par jour", min_value=0)
    rate_limit = forms.IntegerField(label="Requêtes par minute", min_value=1)


class RefusalForm(forms.Form):
    note = forms.CharField(
        label="Motif du refus (l’équipe du service le lira dans ses paramètres)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


@admin.action(description="Passer en production (accepter la demande)")
def make_live(modeladmin, request, queryset):
    for service in queryset.filter(restricted=True):
        team.service_make_live(request=request, service=service)
    messages.success(request, "Services passés en production.")


@admin.action(description="Suspendre (plus aucun envoi)")
def suspend(modeladmin, request, queryset):
    for service in queryset:
        team.service_suspend(request=request, service=service)
    messages.success(request, "Services suspendus.")


@admin.action(description="Réactiver")
def resume(modeladmin, request, queryset):
    for service in queryset:
        team.service_resume(request=request, service=service)
    messages.success(request, "Services réactivés.")


@admin.action(description="Modifier les limites")
def change_limits(modeladmin, request, queryset):
    if "apply" in request.POST:
        form = LimitsForm(request.POST)
        if form.is_valid():
            for service in queryset:
                team.service_limits_change(
                    request=request, service=service, limits=form.cleaned_data
                )
            messages.success(request, "Limites modifiées.")
            return None
    else:
        first = queryset.first()
        form = LimitsForm(
            initial={field: getattr(first, field) for field in team.LIMIT_FIELDS}
        )
    return render(
        request,
        "admin/services/change_limits.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Modifier les limites",
            "form": form,
            "services": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


ServiceAdmin.actions = [make_live, suspend, resume, change_limits]
# Limits and trial status change through the audited actions only.
ServiceAdmin.readonly_fields = [
    *ServiceAdmin.readonly_fields,
    "restricted",
    "active",
    "email_daily_limit",
    "sms_daily_limit",
    "rate_limit",
]


@admin.register(GoLiveRequest)
class GoLiveRequestAdmin(admin.ModelAdmin):
    list_display = ["service", "organisation_name", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["service__name", "organisation_name"]
    readonly_fields = [
        "service",
        "requested_by",
        "created_at",
        "organisation_name",
        "purpose",
        "expected_email_volume",
        "expected_sms_volume",
        "status",
        "decided_by",
        "decided_at",
    ]
    actions = ["approve", "refuse"]

    @admin.action(description="Accepter : passer le service en production")
    def approve(self, request, queryset):
        for go_live in queryset.filter(status=GoLiveStatus.PENDING):
            team.service_make_live(request=request, service=go_live.service)
        messages.success(request, "Demandes acceptées.")

    @admin.action(description="Refuser (avec un motif montré à l’équipe)")
    def refuse(self, request, queryset):
        form = RefusalForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for go_live in queryset.filter(status=GoLiveStatus.PENDING):
                team.go_live_request_refuse(
                    request=request, go_live=go_live, note=form.cleaned_data["note"]
                )
            messages.success(request, "Demandes refusées.")
            return None
        return render(
            request,
            "admin/services/refuse_go_live.html",
            {
                **self.admin_site.each_context(request),
                "title": "Refuser le passage en production",
                "form": form,
                "requests": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read only: nobody edits or deletes it here."""

    list_display = ["created_at", "action", "actor_email", "ip_address", "service"]
    list_filter = ["action"]
    search_fields = ["actor_email", "service__name", "object_id", "ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["service"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
