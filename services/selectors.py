"""Reads for services, members and keys."""

import uuid

from django.conf import settings
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from .models import ApiKey, GoLiveRequest, GuestListEntry, Service, ServiceMember


def service_get(*, service_id: uuid.UUID) -> Service | None:
    return Service.objects.filter(id=service_id).first()


def go_live_request_latest(*, service: Service) -> GoLiveRequest | None:
    """The service's most recent request to go live, whatever its state."""
    return service.go_live_requests.first()


def service_daily_usage(*, service: Service) -> dict[str, int]:
    """Today's sends counted against each daily limit (``email``, ``sms``,
    ``international_sms``). ``notifications`` counts them; ``services``
    imports no other app of ours, so a setting names the reader."""
    reader = import_string(settings.SERVICE_DAILY_USAGE_READER)
    return reader(service_id=service.id)


def api_keys_for_service(*, service_id: uuid.UUID) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(service_id=service_id).order_by("created_at")


def api_key_by_secret_hash(*, secret_hash: str) -> ApiKey | None:
    return (
        ApiKey.objects.select_related("service").filter(secret_hash=secret_hash).first()
    )


def member_list(*, service: Service) -> QuerySet[ServiceMember]:
    return service.members.select_related("user").order_by("user__email")


def team_recipients(*, service: Service) -> set[str]:
    """Who a trial service or a team key may send to: the team's email
    addresses (lowercase) and mobile numbers (as the members wrote them),
    and the guest list's normalised recipients. Compare them in normalised
    form (``notifications.cache`` does): ``services`` has no phone rules."""
    recipients: set[str] = set()
    for member in member_list(service=service):
        recipients.add(member.user.email.lower())
        if member.user.mobile_number:
            recipients.add(member.user.mobile_number)
    guest_list = GuestListEntry.objects.filter(service=service)
    recipients.update(guest_list.values_list("normalised_recipient", flat=True))
    return recipients
