"""The audit events of operators' changes made in the admin (accounts,
service settings, second factors, deletions). The admin saves the objects; these
record what changed, as the back office's own actions do."""

from .audit import audit_record
from .models import AuditAction, Service, User

# The account fields whose values (not only names) the trail keeps: they
# decide who may sign in and who is an operator.
USER_RIGHTS_FIELDS = ("is_active", "is_staff", "is_superuser")


def user_change_record(
    *, request, user: User, changed_fields: list[str], before: dict, created: bool
) -> None:
    """Record an operator's creation or change of an account: which fields
    changed, and the rights before and after."""
    if not changed_fields and not created:
        return
    rights = [field for field in USER_RIGHTS_FIELDS if field in changed_fields]
    audit_record(
        action=AuditAction.ACCOUNT_CHANGED,
        request=request,
        obj=user,
        data={
            "created": created,
            "fields": sorted(changed_fields),
            "before": {field: before.get(field) for field in rights},
            "after": {field: getattr(user, field) for field in rights},
        },
    )


def user_password_set_record(*, request, user: User) -> None:
    audit_record(
        action=AuditAction.PASSWORD_CHANGED,
        request=request,
        obj=user,
        data={"by_operator": True},
    )


def service_change_record(
    *, request, service: Service, changed_fields: list[str], created: bool
) -> None:
    """Record an operator's creation of a service or change of its
    settings (the names of the fields changed)."""
    if created:
        action = AuditAction.SERVICE_CREATED
    elif changed_fields:
        action = AuditAction.SETTINGS_CHANGED
    else:
        return
    audit_record(
        action=action,
        request=request,
        service=service,
        obj=service,
        data={"fields": sorted(changed_fields), "by_operator": True},
    )


def factor_change_record(*, request, device, added: bool) -> None:
    """Record an operator's addition or removal of someone's second
    factor."""
    audit_record(
        action=AuditAction.FACTOR_ADDED if added else AuditAction.FACTOR_REMOVED,
        request=request,
        obj=device,
        data={
            "kind": type(device).__name__,
            "user_id": device.user_id,
            "by_operator": True,
        },
    )


def deletion_record(*, request, obj: User | Service) -> None:
    """Record an operator's deletion of an account or a service, before it
    goes (the event keeps what named it: the trail outlives the row)."""
    if isinstance(obj, Service):
        action, data = AuditAction.SERVICE_DELETED, {"name": obj.name}
    else:
        action, data = AuditAction.ACCOUNT_DELETED, {"email": obj.email}
    audit_record(action=action, request=request, obj=obj, data=data)
