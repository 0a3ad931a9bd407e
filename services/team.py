"""Team, keys and settings changes made from the back office, each with
its audit event."""

import datetime as dt
import hashlib
import logging
import secrets as pysecrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import actions, platform
from .audit import audit_record
from .models import (
    ApiKey,
    AuditAction,
    GoLiveRequest,
    GoLiveStatus,
    GuestListEntry,
    Invitation,
    Service,
    ServiceMember,
    User,
)

logger = logging.getLogger(__name__)


class TeamRuleError(Exception):
    """A change that would break a team rule; the message is shown as is."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _permission_list(permissions) -> list[str]:
    return [name for name in actions.ALL_PERMISSIONS if name in permissions]


@transaction.atomic
def service_create_for_user(*, request, name: str, organisation_name: str) -> Service:
    """A new service in trial mode; its creator manages it."""
    service = actions.service_create(
        name=name, organisation_name=organisation_name, created_by=request.user
    )
    audit_record(
        action=AuditAction.SERVICE_CREATED,
        request=request,
        service=service,
        obj=service,
    )
    return service


def service_settings_update(*, request, service: Service, changes: dict) -> Service:
    """Save changed settings fields and record which ones changed."""
    changed = {
        field: value
        for field, value in changes.items()
        if getattr(service, field) != value
    }
    if not changed:
        return service
    for field, value in changed.items():
        setattr(service, field, value)
    service.save(update_fields=[*changed, "updated_at"])
    audit_record(
        action=AuditAction.SETTINGS_CHANGED,
        request=request,
        service=service,
        obj=service,
        data={"fields": sorted(changed)},
    )
    return service


def invitation_create(
    *, request, service: Service, email: str, permissions, base_url: str
) -> Invitation:
    """Invite someone by email; the link is in the email only."""
    email = email.strip().lower()
    if service.members.filter(user__email__iexact=email).exists():
        raise TeamRuleError("Cette personne fait déjà partie de l’équipe.")
    token = pysecrets.token_urlsafe(32)
    validity = dt.timedelta(hours=settings.INVITATION_VALIDITY_HOURS)
    with transaction.atomic():
        # A new invitation replaces any pending one for the same address.
        service.invitations.filter(
            email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            service=service,
            email=email,
            permissions=_permission_list(permissions),
            token_hash=_token_hash(token),
            invited_by=request.user,
            expires_at=timezone.now() + validity,
        )
        audit_record(
            action=AuditAction.MEMBER_INVITED,
            request=request,
            service=service,
            obj=invitation,
            data={"permissions": invitation.permissions},
        )
        # In the transaction: an invitation whose email is refused is not
        # kept, and the inviter is told why.
        _invitation_email_send(
            request=request,
            service=service,
            email=email,
            link=f"{base_url}/invitation/{token}/",
        )
    return invitation


def _invitation_email_send(*, request, service: Service, email: str, link: str):
    inviter = request.user.full_name or request.user.email
    try:
        platform.platform_email_send(
            kind="invitation",
            email_address=email,
            personalisation={
                "service": service.name,
                "invite_par": inviter,
                "lien": link,
                "duree": str(settings.INVITATION_VALIDITY_HOURS),
            },
        )
    except platform.PlatformEmailError as error:
        raise TeamRuleError(
            f"L’invitation n’a pas pu être envoyée : {error.message}"
        ) from error


def invitation_by_token(*, token: str) -> Invitation | None:
    """The pending invitation a link is for, if still valid."""
    invitation = (
        Invitation.objects.select_related("service")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if invitation is None or not invitation.is_pending:
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, request, invitation: Invitation, user: User) -> ServiceMember:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise TeamRuleError("Cette invitation n’est plus valable.")
    member = actions.member_add(
        service=invitation.service, user=user, permissions=invitation.permissions
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        action=AuditAction.INVITATION_ACCEPTED,
        request=request,
        actor=user,
        service=invitation.service,
        obj=invitation,
    )
    return member


def invitation_revoke(*, request, invitation: Invitation) -> None:
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditAction.INVITATION_REVOKED,
            request=request,
            service=invitation.service,
            obj=invitation,
        )


def _other_managers(member: ServiceMember):
    return member.service.members.filter(can_manage_service=True).exclude(pk=member.pk)


@transaction.atomic
def member_permissions_change(
    *, request, member: ServiceMember, permissions
) -> ServiceMember:
    """Change what a member may do; a service always keeps a manager."""
    permissions = _permission_list(permissions)
    if "manage_service" not in permissions and not _other_managers(member).exists():
        raise TeamRuleError(
            "Le service doit garder au moins un membre qui peut gérer le service "
            "et l’équipe."
        )
    before = member.permissions
    member = actions.member_add(
        service=member.service, user=member.user, permissions=permissions
    )
    audit_record(
        action=AuditAction.PERMISSIONS_CHANGED,
        request=request,
        service=member.service,
        obj=member,
        data={"before": before, "after": permissions},
    )
    return member


@transaction.atomic
def member_remove(*, request, member: ServiceMember) -> None:
    if member.can_manage_service and not _other_managers(member).exists():
        raise TeamRuleError(
            "Le service doit garder au moins un membre qui peut gérer le service "
            "et l’équipe."
        )
    service = member.service
    audit_record(
        action=AuditAction.MEMBER_REMOVED,
        request=request,
        service=service,
        obj=member,
        data={"email": member.user.email},
    )
    member.delete()


def guest_list_entry_add(
    *, request, service: Service, channel: str, recipient: str, normalised: str
) -> GuestListEntry:
    entry = actions.guest_list_add(
        service=service,
        channel=channel,
        recipient=recipient,
        normalised_recipient=normalised,
    )
    audit_record(
        action=AuditAction.GUEST_LIST_CHANGED,
        request=request,
        service=service,
        data={"added": channel},
    )
    return entry


def guest_list_entry_remove(*, request, entry: GuestListEntry) -> None:
    service = entry.service
    entry.delete()
    audit_record(
        action=AuditAction.GUEST_LIST_CHANGED,
        request=request,
        service=service,
        data={"removed": entry.channel},
    )


def api_key_create_for_user(
    *, request, service: Service, name: str, key_type: str
) -> actions.CreatedApiKey:
    created = actions.api_key_create(
        service=service, name=name, key_type=key_type, created_by=request.user
    )
    audit_record(
        action=AuditAction.API_KEY_CREATED,
        request=request,
        service=service,
        obj=created.api_key,
        data={"key_type": key_type},
    )
    return created


def api_key_revoke_for_user(*, request, api_key: ApiKey) -> None:
    if api_key.revoked_at is not None:
        return
    actions.api_key_revoke(api_key=api_key)
    audit_record(
        action=AuditAction.API_KEY_REVOKED,
        request=request,
        service=api_key.service,
        obj=api_key,
    )


def go_live_request_create(
    *,
    request,
    service: Service,
    organisation_name: str,
    purpose: str,
    expected_email_volume: int,
    expected_sms_volume: int,
) -> GoLiveRequest:
    if not service.restricted:
        raise TeamRuleError("Ce service est déjà en production.")
    try:
        with transaction.atomic():
            go_live = GoLiveRequest.objects.create(
                service=service,
                requested_by=request.user,
                organisation_name=organisation_name,
                purpose=purpose,
                expected_email_volume=expected_email_volume,
                expected_sms_volume=expected_sms_volume,
            )
            Service.objects.filter(pk=service.pk).update(
                go_live_requested_at=timezone.now(),
                go_live_requested_by=request.user,
            )
    except IntegrityError as error:
        raise TeamRuleError(
            "Une demande de passage en production est déjà en attente."
        ) from error
    audit_record(
        action=AuditAction.GO_LIVE_REQUESTED,
        request=request,
        service=service,
        obj=go_live,
    )
    return go_live


# Operators' decisions (the admin calls these).

LIVE_DAILY_LIMITS = {"email_daily_limit": 250_000, "sms_daily_limit": 250_000}


@transaction.atomic
def service_make_live(*, request, service: Service) -> Service:
    service.restricted = False
    for field, value in LIVE_DAILY_LIMITS.items():
        setattr(service, field, max(getattr(service, field), value))
    service.save(update_fields=["restricted", *LIVE_DAILY_LIMITS, "updated_at"])
    pending = service.go_live_requests.filter(status=GoLiveStatus.PENDING)
    pending.update(
        status=GoLiveStatus.APPROVED, decided_by=request.user, decided_at=timezone.now()
    )
    audit_record(
        action=AuditAction.SERVICE_MADE_LIVE,
        request=request,
        service=service,
        obj=service,
    )
    return service


def go_live_request_refuse(*, request, go_live: GoLiveRequest, note: str = "") -> None:
    if go_live.status != GoLiveStatus.PENDING:
        return
    go_live.status = GoLiveStatus.REFUSED
    go_live.decided_by = request.user
    go_live.decided_at = timezone.now()
    go_live.decision_note = note
    go_live.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        action=AuditAction.GO_LIVE_REFUSED,
        request=request,
        service=go_live.service,
        obj=go_live,
    )


def service_suspend(*, request, service: Service) -> None:
    """A suspended service cannot send: its API keys are refused."""
    if service.active:
        service.active = False
        service.save(update_fields=["active", "updated_at"])
        audit_record(
            action=AuditAction.SERVICE_SUSPENDED,
            request=request,
            service=service,
            obj=service,
        )


def service_resume(*, request, service: Service) -> None:
    if not service.active:
        service.active = True
        service.save(update_fields=["active", "updated_at"])
        audit_record(
            action=AuditAction.SERVICE_RESUMED,
            request=request,
            service=service,
            obj=service,
        )


LIMIT_FIELDS = ("email_daily_limit", "sms_daily_limit", "rate_limit")


def service_limits_change(*, request, service: Service, limits: dict) -> None:
    before = {field: getattr(service, field) for field in LIMIT_FIELDS}
    for field in LIMIT_FIELDS:
        setattr(service, field, limits[field])
    service.save(update_fields=[*LIMIT_FIELDS, "updated_at"])
    audit_record(
        action=AuditAction.LIMITS_CHANGED,
        request=request,
        service=service,
        obj=service,
        data={"before": before, "after": {f: limits[f] for f in LIMIT_FIELDS}},
    )
