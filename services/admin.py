"""Operators' admin for services, members, keys and senders. Secrets are
never shown: API keys list their hash prefix only.

Every change an operator makes here leaves an audit event: team members'
permissions and API keys are read only (keys are revoked by an action that
calls the back office's audited revocation; members are managed by their
team), and the other changes are recorded by ``services.operators``.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from . import operators, team
from .models import (
    ApiKey,
    AuditEvent,
    GoLiveRequest,
    GoLiveStatus,
    GuestListEntry,
    ReplyToAddress,
    Service,
    ServiceMember,
    SmsSender,
    User,
)


class AuditedDeletionMixin:
    """Deleting accounts or services in the admin is recorded in the audit
    trail, one event per object, before it goes."""

    def delete_model(self, request, obj) -> None:
        operators.deletion_record(request=request, obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            operators.deletion_record(request=request, obj=obj)
        super().delete_queryset(request, queryset)


@admin.register(User)
class UserAdmin(AuditedDeletionMixin, BaseUserAdmin):
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

    def save_model(self, request, obj, form, change) -> None:
        # The form's initial values are the account as it was.
        self._before = {
            field: form.initial.get(field) for field in operators.USER_RIGHTS_FIELDS
        }
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        changed = [field for field in form.changed_data if field != "password"]
        operators.user_change_record(
            request=request,
            user=form.instance,
            changed_fields=changed,
            before=self._before,
            created=not change,
        )

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and isinstance(response, HttpResponseRedirect):
            user = self.get_object(request, id)
            operators.user_password_set_record(request=request, user=user)
        return response


class ServiceMemberInline(admin.TabularInline):
    """Read only: a team changes its members and their permissions in the
    back office, where each change is audited."""

    model = ServiceMember
    extra = 0
    fields = [
        "user",
        "can_view_activity",
        "can_send_messages",
        "can_manage_templates",
        "can_manage_service",
        "can_manage_api_keys",
        "created_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReplyToAddressInline(admin.TabularInline):
    model = ReplyToAddress
    extra = 0


class SmsSenderInline(admin.TabularInline):
    model = SmsSender
    extra = 0


@admin.register(Service)
class ServiceAdmin(AuditedDeletionMixin, admin.ModelAdmin):
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

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        changed = list(form.changed_data)
        changed += [
            formset.model._meta.model_name
            for formset in formsets
            if formset.has_changed()
        ]
        operators.service_change_record(
            request=request,
            service=form.instance,
            changed_fields=changed,
            created=not change,
        )


@admin.action(description="Révoquer les clés sélectionnées")
def revoke_api_keys(modeladmin, request, queryset):
    for api_key in queryset.select_related("service").filter(revoked_at__isnull=True):
        team.api_key_revoke_for_user(request=request, api_key=api_key)
    messages.success(request, "Clés révoquées.")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Read only: a key is revoked with the action, which records it in the
    audit trail, and never deleted."""

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
    readonly_fields = fields
    actions = [revoke_api_keys]

    def has_add_permission(self, request) -> bool:
        # A key's secret is shown once, at creation, which the admin cannot
        # do safely: keys are created by the back office or
        # `manage.py create_api_key`.
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(GuestListEntry)
class GuestListEntryAdmin(admin.ModelAdmin):
    """Read only: a team changes its guest list in the back office, where
    each change is audited."""

    list_display = ["recipient", "channel", "service", "created_at"]
    list_filter = ["channel"]
    search_fields = ["service__name"]
    list_select_related = ["service"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Operators' actions on services, and the audit trail.


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


class FactorAdminMixin:
    """A second factor in the admin can be seen and removed (a user who
    lost their phone), never added or edited there; a removal is audited."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj) -> None:
        operators.factor_change_record(request=request, device=obj, added=False)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for device in queryset:
            operators.factor_change_record(request=request, device=device, added=False)
        super().delete_queryset(request, queryset)


# django-otp's admins, registered by its apps (loaded before ours), get the
# mixin; django-otp-webauthn leaves registering its admin to the project.
for _model in (TOTPDevice, StaticDevice):
    _library_admin = type(admin.site.get_model_admin(_model))
    admin.site.unregister(_model)
    admin.site.register(
        _model,
        type(
            f"Audited{_library_admin.__name__}", (FactorAdminMixin, _library_admin), {}
        ),
    )


@admin.register(WebAuthnCredential)
class AuditedWebAuthnCredentialAdmin(FactorAdminMixin, WebAuthnCredentialAdmin):
    pass
