"""Helpers shared by the delivery actions: conditional status updates and
riding out a dropped database connection."""

import logging
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection
from django.db.models import Q, QuerySet
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from notifications.models import Notification
from notifications.statuses import sources_for

logger = logging.getLogger(__name__)

# Errors of a database that went away (restart, network cut, fail-over):
# worth trying again on a new connection.
DATABASE_GONE = (OperationalError, InterfaceError)
CHANNELS = ("email", "sms")

T = TypeVar("T")


def status_filter(*, event: str, target: str, reported: str | None = None) -> Q:
    """The rows ``event`` may move to ``target``, for every channel, so one
    ``UPDATE … WHERE`` checks and changes the status atomically."""
    condition = Q(pk__in=[])
    for channel in CHANNELS:
        sources = sources_for(
            channel=channel, event=event, target=target, reported=reported
        )
        if sources:
            condition |= Q(channel=channel, status__in=sources)
    return condition


def notification_move(
    *,
    notification_id: uuid.UUID,
    event: str,
    target: str,
    reported: str | None = None,
    **fields,
) -> bool:
    """Move a notification to ``target`` if the state machine lets
    ``event`` do it from its current status; return whether it moved."""
    moved = (
        Notification.objects.filter(id=notification_id)
        .filter(status_filter(event=event, target=target, reported=reported))
        .update(status=target, updated_at=timezone.now(), **fields)
    )
    return moved == 1


def combined_statements() -> bool:
    """Whether the database runs a data-modifying ``WITH`` (PostgreSQL):
    the hot path then makes one round trip where the ORM makes four. The
    embedded default (SQLite) takes the plain ORM path."""
    return connection.vendor == "postgresql"


def update_sql(queryset: QuerySet, **values) -> tuple[str, tuple]:
    """The ``UPDATE … WHERE …`` the ORM would run for
    ``queryset.update(**values)``, to embed in a larger statement."""
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(values)
    return query.get_compiler(queryset.db).as_sql()


def run_with_db_retry(
    function: Callable[[], T], *, attempts: int, first_delay: float = 0.2
) -> T:
    """Call ``function``; when the database connection is gone, close it
    and try again on a new one, up to ``attempts`` calls in all (the delay
    doubles each time). Inside a transaction the error is raised at once:
    the transaction is lost anyway."""
    for attempt in range(attempts - 1):
        try:
            return function()
        except DATABASE_GONE:
            if connection.in_atomic_block:
                raise
            logger.warning(
                "Database connection lost; trying again (%s/%s)",
                attempt + 1,
                attempts - 1,
            )
            connection.close()
            time.sleep(first_delay * 2**attempt)
    return function()
