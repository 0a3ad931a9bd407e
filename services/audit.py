"""The audit trail of security events: writing them and reading them.

Every event says who (the signed-in user, or the email typed at sign-in),
when, from which address, what, on which service and object. Nothing
secret and no message content goes in ``data``.
"""

import ipaddress
import logging
import uuid

from django.conf import settings
from django.db.models import Q, QuerySet

from .models import AuditAction, AuditEvent, Permission, Service, ServiceMember

logger = logging.getLogger(__name__)

USER_AGENT_MAX_LENGTH = 255


def client_ip(request) -> str | None:
    """The caller's address; the first X-Forwarded-For entry only when a
    trusted proxy sets it."""
    if request is None:
        return None
    candidate = request.META.get("REMOTE_ADDR", "")
    if settings.AUDIT_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            candidate = forwarded.split(",")[0].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def audit_record(
    *,
    action: str,
    request=None,
    actor=None,
    actor_email: str = "",
    service: Service | None = None,
    obj=None,
    data: dict | None = None,
) -> AuditEvent:
    """Write one audit event; the actor defaults to the request's user."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    user_agent = ""
    if request is not None:
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX_LENGTH]
    event = AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_email=(actor.email if actor is not None else actor_email)[:320],
        ip_address=client_ip(request),
        user_agent=user_agent,
        service=service,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or ""),
        object_repr=str(obj)[:255] if obj is not None else "",
        data=data or {},
    )
    logger.info(
        "Audit: %s",
        action,
        extra={
            "audit_event_id": event.id,
            "user_id": getattr(actor, "pk", None),
            "service_id": str(service.id) if service else None,
        },
    )
    return event


# A user's own security events, written without a service: a service's
# managers see those of its members.
SECURITY_ACTIONS = frozenset(
    {
        AuditAction.SIGN_IN,
        AuditAction.SIGN_IN_FAILED,
        AuditAction.SIGN_IN_THROTTLED,
        AuditAction.SECOND_FACTOR_FAILED,
        AuditAction.PASSWORD_CONFIRMATION_FAILED,
        AuditAction.PASSWORD_CHANGED,
        AuditAction.PASSWORD_RESET_REQUESTED,
        AuditAction.PASSWORD_RESET,
        AuditAction.FACTOR_ADDED,
        AuditAction.FACTOR_REMOVED,
        AuditAction.BACKUP_CODES_GENERATED,
    }
)


def audit_events_for_service(*, service_id: uuid.UUID) -> QuerySet[AuditEvent]:
    """The service's events, and the security events of its current
    members since they joined it; never anyone else's."""
    of_members = Q(pk__in=[])
    members = ServiceMember.objects.filter(service_id=service_id).values_list(
        "user_id", "user__email", "created_at"
    )
    for user_id, email, joined_at in members:
        # A failed sign-in names no actor, only the address typed.
        by_member = Q(actor_id=user_id) | Q(
            actor__isnull=True, actor_email__iexact=email
        )
        of_members |= by_member & Q(created_at__gte=joined_at)
    # What operators did to a member's account is theirs, not the member's.
    security = Q(service__isnull=True, action__in=SECURITY_ACTIONS) & ~Q(
        data__has_key="by_operator"
    )
    events = AuditEvent.objects.filter(
        Q(service_id=service_id) | (security & of_members)
    )
    return events.select_related("actor")


def audit_events_for_user(*, user) -> QuerySet[AuditEvent]:
    """A user's own security events (their sign-ins, factor changes)."""
    return AuditEvent.objects.filter(actor=user, service__isnull=True)


DETAIL_LABELS = {
    "before": "Avant",
    "after": "Après",
    "permissions": "Droits",
    "fields": "Champs modifiés",
    "factor": "Second facteur",
    "kind": "Type",
    "name": "Nom",
    "key_type": "Type de clé",
    "change": "Modification",
    "email": "Adresse",
    "added": "Ajout",
    "removed": "Retrait",
    "created": "Création",
    "by_operator": "Par un opérateur",
}
PERMISSION_LABELS = dict(Permission.choices)


def audit_event_details(event: AuditEvent) -> list[tuple[str, str]]:
    """An event's ``data`` as (label, text) pairs to show, permissions by
    their French names; the template escapes them."""
    return [
        (DETAIL_LABELS.get(key, key), _detail_text(value))
        for key, value in sorted(event.data.items())
    ]


def _detail_text(value) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        texts = [PERMISSION_LABELS.get(item, str(item)) for item in value]
        return ", ".join(texts) or "aucun"
    if isinstance(value, dict):
        return ", ".join(
            f"{key} : {_detail_text(item)}" for key, item in sorted(value.items())
        )
    return str(value)


def audit_events_prune(*, before, batch_size: int = 5000) -> int:
    """Delete the audit events older than ``before`` (the trail is kept
    ``AUDIT_RETENTION_DAYS``, a year by default, as ANSSI advises for
    security logs), ``batch_size`` at a time; return how many went."""
    deleted = 0
    while True:
        ids = list(
            AuditEvent.objects.filter(created_at__lt=before).values_list(
                "id", flat=True
            )[:batch_size]
        )
        if not ids:
            return deleted
        deleted += AuditEvent.objects.filter(id__in=ids).delete()[0]
