"""Reads for the back office's screens: dashboard figures, the activity
list and a notification's history. (The API's reads are in
``selectors.py``.)"""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from deliveries import selectors as delivery_selectors
from services.models import KeyType, ReplyToAddress, SmsSender

from . import language, limits, selectors
from .models import Notification
from .statuses import FAILURE_STATUSES, NotificationStatus

DELIVERED_STATUSES = frozenset({NotificationStatus.DELIVERED, NotificationStatus.SENT})
DASHBOARD_DAYS = 7


@dataclass(frozen=True)
class DayFigures:
    day: dt.date
    delivered: int
    failed: int
    pending: int

    @property
    def total(self) -> int:
        return self.delivered + self.failed + self.pending


@dataclass(frozen=True)
class ChannelFigures:
    channel: str
    days: list[DayFigures]

    @property
    def sent(self) -> int:
        return sum(day.total for day in self.days)

    @property
    def delivered(self) -> int:
        return sum(day.delivered for day in self.days)

    @property
    def failed(self) -> int:
        return sum(day.failed for day in self.days)

    @property
    def pending(self) -> int:
        return sum(day.pending for day in self.days)


def _bucket(status: str) -> str:
    if status in DELIVERED_STATUSES:
        return "delivered"
    if status in FAILURE_STATUSES:
        return "failed"
    return "pending"


def dashboard_figures(*, service_id: uuid.UUID, today: dt.date | None = None):
    """Per channel and per day over the last 7 days: delivered, failed and
    still on their way (test keys left out, as they send nothing)."""
    today = today or timezone.localdate()
    first_day = today - dt.timedelta(days=DASHBOARD_DAYS - 1)
    start = timezone.make_aware(dt.datetime.combine(first_day, dt.time.min))
    rows = (
        Notification.objects.filter(service_id=service_id, created_at__gte=start)
        .exclude(key_type=KeyType.TEST)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("channel", "status", "day")
        .annotate(count=Count("id"))
    )
    counts: dict[tuple, int] = {}
    for row in rows:
        key = (row["channel"], row["day"], _bucket(row["status"]))
        counts[key] = counts.get(key, 0) + row["count"]

    days = [first_day + dt.timedelta(days=offset) for offset in range(DASHBOARD_DAYS)]
    return [
        ChannelFigures(
            channel=channel,
            days=[
                DayFigures(
                    day=day,
                    delivered=counts.get((channel, day, "delivered"), 0),
                    failed=counts.get((channel, day, "failed"), 0),
                    pending=counts.get((channel, day, "pending"), 0),
                )
                for day in days
            ],
        )
        for channel in ("email", "sms")
    ]


def latest_failures(*, service_id: uuid.UUID, limit: int = 10) -> QuerySet:
    return (
        Notification.objects.filter(
            service_id=service_id, status__in=sorted(FAILURE_STATUSES)
        )
        .select_related("template")
        .order_by("-created_at")[:limit]
    )


@dataclass(frozen=True)
class ActivityFilters:
    channel: str = ""
    status: str = ""
    template_id: uuid.UUID | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    search: str = ""


STATUS_GROUPS = {
    "delivered": sorted(DELIVERED_STATUSES),
    "failed": sorted(FAILURE_STATUSES),
    "pending": [
        NotificationStatus.CREATED,
        NotificationStatus.SENDING,
        NotificationStatus.PENDING,
    ],
}


def activity_list(*, service_id: uuid.UUID, filters: ActivityFilters) -> QuerySet:
    """A service's notifications, newest first, filtered; the search
    matches a recipient (as typed or normalised) or a client reference."""
    notifications = Notification.objects.filter(service_id=service_id).select_related(
        "template", "template_version"
    )
    if filters.channel:
        notifications = notifications.filter(channel=filters.channel)
    if filters.status in STATUS_GROUPS:
        notifications = notifications.filter(status__in=STATUS_GROUPS[filters.status])
    elif filters.status:
        notifications = notifications.filter(status=filters.status)
    if filters.template_id:
        notifications = notifications.filter(template_id=filters.template_id)
    if filters.date_from:
        notifications = notifications.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        notifications = notifications.filter(created_at__date__lte=filters.date_to)
    search = filters.search.strip()
    if search:
        notifications = notifications.filter(_search_condition(search))
    return notifications.order_by("-created_at")


def _search_condition(search: str) -> Q:
    """A client reference as typed, or a recipient in any case, as typed or
    normalised as the API stores it: "06 12 34 56 78" finds +33612345678,
    "Camille@Exemple.fr" finds camille@exemple.fr."""
    condition = (
        Q(client_reference=search)
        | Q(recipient__iexact=search)
        | Q(normalised_recipient__iexact=search)
    )
    normalised = _normalised_recipient(search)
    if normalised:
        condition |= Q(normalised_recipient=normalised)
    return condition


def _normalised_recipient(search: str) -> str:
    """The search term as a stored normalised recipient, or "" when it is
    neither an address nor a phone number."""
    try:
        if "@" in search:
            return language.validate_email_address(search)
        return language.validate_phone_number(search).e164
    except language.InvalidRecipientError:
        return ""


def personal_data_expired(notification: Notification) -> bool:
    """Past the service's retention period, recipient and content are not
    shown (and are erased by the nightly purge)."""
    if notification.redacted_at is not None:
        return True
    retention = notification.service.retention_days(notification.channel)
    return notification.created_at < timezone.now() - dt.timedelta(days=retention)


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    label: str
    detail: str = ""


def notification_history(*, notification: Notification) -> list[HistoryEntry]:
    """What happened to a notification: accepted, each provider call, each
    receipt."""
    entries = [HistoryEntry(notification.created_at, "Accepté par Notifications")]
    for attempt in notification.delivery_attempts.order_by("started_at"):
        entries.append(
            HistoryEntry(
                attempt.started_at,
                f"Confié à {attempt.provider}",
                attempt.get_outcome_display(),
            )
        )
    labels = dict(NotificationStatus.choices)
    for receipt in delivery_selectors.receipts_for_notification(
        notification_id=notification.id
    ):
        entries.append(
            HistoryEntry(
                receipt.occurred_at or receipt.received_at,
                f"Accusé du fournisseur : {labels.get(receipt.status, receipt.status)}",
            )
        )
    return sorted(entries, key=lambda entry: entry.at)


def sender_choices(*, service_id: uuid.UUID, channel: str) -> list[tuple[str, str]]:
    """The service's reply-to addresses (email) or SMS senders, as form
    choices ``(id, shown value)``, the default one first."""
    if channel == "email":
        addresses = ReplyToAddress.objects.filter(
            service_id=service_id, archived=False
        ).order_by("-is_default", "email_address")
        return [(str(address.id), address.email_address) for address in addresses]
    senders = SmsSender.objects.filter(service_id=service_id, archived=False).order_by(
        "-is_default", "sms_sender"
    )
    return [(str(sender.id), sender.sms_sender) for sender in senders]


DAILY_LIMIT_KINDS = ("email", "sms", "international_sms")


def daily_usage(*, service_id: uuid.UUID | str) -> dict[str, int]:
    """Today's count of each kind the daily limits count (test keys left
    out), from the database as the limits rebuild it."""
    since = limits.day_start()
    return {
        kind: selectors.notification_count_since(
            service_id=service_id, kind=kind, since=since
        )
        for kind in DAILY_LIMIT_KINDS
    }
