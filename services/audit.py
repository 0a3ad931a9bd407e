"""The audit trail of security events: writing them and reading them.

Every event says who (the signed-in user, or the email typed at sign-in),
when, from which address, what, on which service and object. Nothing
secret and no message content goes in ``data``.
"""

import ipaddress
import logging
import uuid

from django.conf import settings
from django.db.models import QuerySet

from .models import AuditAction, AuditEvent, Service

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


def audit_events_for_service(*, service_id: uuid.UUID) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(service_id=service_id).select_related("actor")


def audit_events_for_user(*, user) -> QuerySet[AuditEvent]:
    """A user's own security events (their sign-ins, factor changes)."""
    return AuditEvent.objects.filter(actor=user, service__isnull=True)


SECURITY_ACTIONS = frozenset(
    {
        AuditAction.SIGN_IN,
        AuditAction.SIGN_IN_FAILED,
        AuditAction.SIGN_IN_THROTTLED,
        AuditAction.SECOND_FACTOR_FAILED,
    }
)
