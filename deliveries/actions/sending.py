"""Handing a notification to a provider: claim, call, record, retry.

The order of steps is what makes a send happen once:

1. claim (``created → sending``, a conditional update) and insert the
   ``DeliveryAttempt`` in one transaction: a task delivered twice finds
   nothing to claim;
2. call the provider outside any transaction, with the adapter's time-out;
3. record the answer (attempt outcome, then the notification's status, its
   ``sent_at`` or its retry) in one transaction. When the database is away
   at that moment, the answer is retried on a new connection, then handed to
   the ``record_attempt_result`` task, so an accepted send is not forgotten.

An attempt left ``in-progress`` means the worker died (or lost the database
for good) between 1 and 3: the provider may or may not have the message.
The reconciliation sweep (``attempts_reconcile_stale``) marks such
notifications ``needs_reconciliation`` and sends them again: see
``deliveries.actions.sweeps`` for why. When the answer turns up after all
(the worker was only cut from the database), it is recorded as
``accepted-late``: see ``_record_late_acceptance``.
"""

import dataclasses
import datetime as dt
import logging
import random
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.utils import timezone

from notifications.models import Notification
from notifications.statuses import Event, NotificationStatus, is_final
from providers import fake, registry
from providers.base import (
    OutgoingEmail,
    OutgoingSms,
    ProviderPermanentError,
    ProviderTemporaryError,
)
from services.models import KeyType
from templates_app import branding, rendering

from ..models import AttemptOutcome, DeliveryAttempt
from .common import (
    DATABASE_GONE,
    combined_statements,
    notification_move,
    run_with_db_retry,
    status_filter,
    update_sql,
)
from .receipts import receipts_release_for_reference

logger = logging.getLogger(__name__)

S = NotificationStatus

# Outcomes of an attempt the provider took.
ACCEPTANCES = (AttemptOutcome.ACCEPTED, AttemptOutcome.ACCEPTED_LATE)

# Test-key notifications never reach a configured provider: they go to the
# fake providers' simulated outcomes (GOV.UK Notify's research mode).
SIMULATORS = {"email": fake.FakeEmailProvider, "sms": fake.FakeSmsProvider}


# What a send reads: loading only these keeps the hot path's one SELECT
# small (the service row alone has dozens of columns).
SENDING_FIELDS = (
    "id",
    "status",
    "key_type",
    "channel",
    "normalised_recipient",
    "personalisation",
    "sanitised_keys",
    "reply_to",
    "one_click_unsubscribe_url",
    "attempt_count",
    "service__name",
    "service__email_sender_name",
    "service__sms_prefix",
    "service__branding",
    "template_version__subject",
    "template_version__body",
)


@dataclasses.dataclass(frozen=True)
class AttemptResult:
    """What one provider call ended with. It holds ids and the provider's
    reference only (no personal data), so it can travel through the broker
    when the database is away."""

    attempt_id: int
    notification_id: uuid.UUID
    provider: str
    outcome: str
    finished_at: dt.datetime
    started_at: dt.datetime | None = None
    provider_reference: str = ""
    # The status the provider gave with its answer: a synchronous final
    # status on acceptance (``sent``), or what a refusal ends in.
    reported_status: str | None = None
    error: str = ""
    retry_after: float | None = None
    # Worth another attempt (elsewhere if possible): temporary errors,
    # ambiguous outcomes and refusals of our account rather than of the
    # message.
    retryable: bool = False
    # The provider may have the message although we could not tell.
    ambiguous: bool = False
    # The earliest time to send again after an ambiguous outcome.
    resend_after: float | None = None

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["notification_id"] = str(self.notification_id)
        for name in ("finished_at", "started_at"):
            value = getattr(self, name)
            data[name] = value.isoformat() if value else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> "AttemptResult":
        started_at = data.get("started_at")
        return cls(
            **{
                **data,
                "notification_id": uuid.UUID(data["notification_id"]),
                "finished_at": dt.datetime.fromisoformat(data["finished_at"]),
                "started_at": (
                    dt.datetime.fromisoformat(started_at) if started_at else None
                ),
            }
        )


def _from_email(service) -> str:
    local_part = rendering.email_local_part(service.sender_name)
    return f"{service.sender_name} <{local_part}@{settings.EMAIL_SENDER_DOMAIN}>"


def _outgoing(notification: Notification) -> OutgoingEmail | OutgoingSms:
    version = notification.template_version
    if notification.channel == "email":
        rendered = rendering.render_email(
            subject=version.subject,
            body=version.body,
            personalisation=notification.personalisation,
            # Stored escaped; the recipient reads them as the service wrote
            # them, links removed (never markup: values are never parsed).
            sanitised_keys=notification.sanitised_keys,
            service_name=notification.service.name,
            branding=notification.service.branding,
            unsubscribe_url=notification.one_click_unsubscribe_url or "",
            logo_url=branding.email_logo_url(),
            # Limits were checked when the notification was accepted.
            check_length=False,
        )
        return OutgoingEmail(
            notification_id=notification.id,
            to=notification.normalised_recipient,
            subject=rendered.subject,
            html_body=rendered.html,
            text_body=rendered.text,
            from_email=_from_email(notification.service),
            reply_to=notification.reply_to,
            unsubscribe_url=notification.one_click_unsubscribe_url,
        )
    prefix = notification.service.name if notification.service.sms_prefix else ""
    rendered = rendering.render_sms(
        body=version.body,
        personalisation=notification.personalisation,
        prefix=prefix,
        check_length=False,
    )
    return OutgoingSms(
        notification_id=notification.id,
        to=notification.normalised_recipient,
        body=rendered.content,
        sender=notification.reply_to,
    )


def _is_test(notification: Notification) -> bool:
    return notification.key_type == KeyType.TEST


def _failed_provider(notification: Notification) -> tuple[str, ...]:
    """The provider whose last attempt failed, to try another one first."""
    if notification.attempt_count == 0:
        return ()
    last = (
        DeliveryAttempt.objects.filter(notification_id=notification.id)
        .order_by("-started_at")
        .values_list("provider", "outcome")
        .first()
    )
    if last is None or last[1] == AttemptOutcome.ACCEPTED:
        return ()
    return (last[0],)


def _provider_for(notification: Notification):
    if _is_test(notification):
        return SIMULATORS[notification.channel]()
    return registry.choose_provider(
        notification.channel, exclude=_failed_provider(notification)
    )


def notification_claim(
    *, notification_id: uuid.UUID, provider: str
) -> DeliveryAttempt | None:
    """Take a notification for sending (``created → sending``) and open its
    attempt, atomically. Only one claimer wins; the others get ``None`` and
    do nothing."""
    now = timezone.now()
    if combined_statements():
        attempt_id = _claim_in_one_statement(notification_id, provider, now)
        if attempt_id is None:
            return None
        return DeliveryAttempt(
            id=attempt_id,
            notification_id=notification_id,
            provider=provider,
            started_at=now,
        )
    with transaction.atomic():
        claimed = notification_move(
            notification_id=notification_id,
            event=Event.CLAIM,
            target=S.SENDING,
            attempt_count=F("attempt_count") + 1,
        )
        if not claimed:
            return None
        return DeliveryAttempt.objects.create(
            notification_id=notification_id, provider=provider, started_at=now
        )


def _claim_in_one_statement(notification_id, provider: str, now) -> int | None:
    claim, claim_params = update_sql(
        Notification.objects.filter(id=notification_id).filter(
            status_filter(event=Event.CLAIM, target=S.SENDING)
        ),
        status=S.SENDING,
        updated_at=now,
        attempt_count=F("attempt_count") + 1,
    )
    attempts = DeliveryAttempt._meta.db_table
    # Built from ORM-compiled SQL and our table names; values are parameters.
    statement = (
        f"WITH claimed AS ({claim} RETURNING id) "  # noqa: S608
        f"INSERT INTO {attempts} "
        "(notification_id, provider, started_at, outcome, provider_reference, error) "
        "SELECT id, %s, %s, %s, '', '' FROM claimed RETURNING id"
    )
    params = (*claim_params, provider, now, AttemptOutcome.IN_PROGRESS)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    return row[0] if row else None


def _call(provider, message, attempt: DeliveryAttempt) -> AttemptResult:
    """Call the provider; never raise (every way it ends is a result)."""
    base = {
        "attempt_id": attempt.id,
        "notification_id": attempt.notification_id,
        "provider": provider.name,
        "started_at": attempt.started_at,
    }
    try:
        if isinstance(message, OutgoingEmail):
            sent = provider.send_email(message)
        else:
            sent = provider.send_sms(message)
    except ProviderTemporaryError as error:
        outcome = (
            AttemptOutcome.UNKNOWN
            if error.ambiguous
            else AttemptOutcome.TEMPORARY_ERROR
        )
        return AttemptResult(
            **base,
            outcome=outcome,
            finished_at=timezone.now(),
            error=str(error)[:2000],
            retry_after=error.retry_after,
            retryable=True,
            ambiguous=error.ambiguous,
        )
    except ProviderPermanentError as error:
        return AttemptResult(
            **base,
            outcome=AttemptOutcome.PERMANENT_ERROR,
            finished_at=timezone.now(),
            reported_status=error.status,
            error=str(error)[:2000],
            retryable=error.provider_fault,
        )
    except Exception as error:
        # An adapter must raise only the two errors above; anything else is
        # a bug, and the request may have left: treat it as ambiguous.
        logger.exception(
            "Provider %s failed unexpectedly on notification %s",
            provider.name,
            attempt.notification_id,
            extra={
                "provider": provider.name,
                "notification_id": str(attempt.notification_id),
            },
        )
        return AttemptResult(
            **base,
            outcome=AttemptOutcome.UNKNOWN,
            finished_at=timezone.now(),
            error=f"{error.__class__.__name__}: {error}"[:2000],
            retryable=True,
            ambiguous=True,
        )
    return AttemptResult(
        **base,
        outcome=AttemptOutcome.ACCEPTED,
        finished_at=timezone.now(),
        provider_reference=sent.provider_reference,
        reported_status=sent.status,
    )


def _render(notification: Notification) -> OutgoingEmail | OutgoingSms | None:
    """The message to hand over, or ``None`` after moving a notification
    that cannot be rendered to ``technical-failure``."""
    try:
        return _outgoing(notification)
    except Exception:
        # Rendering is deterministic: trying again would fail again.
        logger.exception(
            "Notification %s cannot be rendered",
            notification.id,
            extra={"notification_id": str(notification.id)},
        )
        notification_move(
            notification_id=notification.id,
            event=Event.GIVE_UP,
            target=S.TECHNICAL_FAILURE,
        )
        return None


def notification_deliver(*, notification_id: uuid.UUID) -> str | None:
    """Claim a notification and hand it to a provider; return the attempt's
    outcome, or ``None`` when there was nothing to do (already claimed,
    already final, unknown).

    Database errors before the provider call propagate (nothing was sent;
    the task tries again). From the call on, nothing raises: the answer is
    recorded here or handed to a task."""
    notification = (
        Notification.objects.select_related("service", "template_version")
        .only(*SENDING_FIELDS)
        .filter(id=notification_id)
        .first()
    )
    if notification is None or notification.status != S.CREATED:
        logger.info(
            "Notification %s not sent: %s",
            notification_id,
            "unknown" if notification is None else notification.status,
            extra={"notification_id": str(notification_id)},
        )
        return None
    message = _render(notification)
    if message is None:
        return None

    provider = _provider_for(notification)
    attempt = notification_claim(
        notification_id=notification_id, provider=provider.name
    )
    if attempt is None:
        return None

    result = _call(provider, message, attempt)
    if not _is_test(notification):
        _count_for_failover(result)
    _record(result)
    return result.outcome


def _count_for_failover(result: AttemptResult) -> None:
    if result.outcome == AttemptOutcome.ACCEPTED:
        registry.record_success(result.provider)
    elif result.retryable:
        registry.record_failure(result.provider)


def _record(result: AttemptResult) -> None:
    """Record the provider's answer; when the database stays away, hand it
    to a task rather than forget it."""
    from deliveries import tasks

    try:
        run_with_db_retry(
            lambda: attempt_record_result(result=result),
            attempts=settings.DELIVERY_RECORD_RETRIES + 1,
        )
    except DATABASE_GONE:
        logger.warning(
            "Could not record attempt %s of notification %s; handing it to a task",
            result.attempt_id,
            result.notification_id,
            extra={"notification_id": str(result.notification_id)},
        )
        tasks.publish_attempt_result(result=result)


def attempt_record_result(*, result: AttemptResult) -> None:
    """Record how an attempt ended and move the notification accordingly.
    Recording the same result twice changes nothing (the attempt must still
    be ``in-progress``), except that an acceptance of an attempt the
    reconciliation sweep closed meanwhile is recorded as a late one."""
    accepted = result.outcome == AttemptOutcome.ACCEPTED
    if accepted and combined_statements():
        # The common case, in one round trip.
        if _record_acceptance_in_one_statement(result):
            _after_acceptance(result)
        else:
            _record_late_acceptance(result)
        return
    _record_result(result)


@transaction.atomic
def _record_result(result: AttemptResult) -> None:
    finished = DeliveryAttempt.objects.filter(
        id=result.attempt_id, outcome=AttemptOutcome.IN_PROGRESS
    ).update(
        outcome=result.outcome,
        finished_at=result.finished_at,
        provider_reference=result.provider_reference,
        error=result.error,
    )
    if not finished:
        if result.outcome == AttemptOutcome.ACCEPTED:
            _record_late_acceptance(result)
        return

    if result.outcome == AttemptOutcome.ACCEPTED:
        # The status does not change here (it is ``sending``, or a receipt
        # already moved it further); only what we know of the hand-over.
        Notification.objects.filter(id=result.notification_id).update(
            sent_at=result.finished_at,
            provider=result.provider,
            provider_reference=result.provider_reference,
        )
        _after_acceptance(result)
    elif result.retryable:
        _retry_or_give_up(result)
    else:
        _record_rejection(result)


def _record_acceptance_in_one_statement(result: AttemptResult) -> bool:
    finish, finish_params = update_sql(
        DeliveryAttempt.objects.filter(
            id=result.attempt_id, outcome=AttemptOutcome.IN_PROGRESS
        ),
        outcome=result.outcome,
        finished_at=result.finished_at,
        provider_reference=result.provider_reference,
        error=result.error,
    )
    notifications = Notification._meta.db_table
    # Built from ORM-compiled SQL and our table names; values are parameters.
    statement = (
        f"WITH finished AS ({finish} RETURNING notification_id) "  # noqa: S608
        f"UPDATE {notifications} SET sent_at = %s, provider = %s, "
        "provider_reference = %s FROM finished "
        f"WHERE {notifications}.id = finished.notification_id RETURNING 1"
    )
    params = (
        *finish_params,
        result.finished_at,
        result.provider,
        result.provider_reference,
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone() is not None


@transaction.atomic
def _record_late_acceptance(result: AttemptResult) -> None:
    """Record an acceptance whose attempt the reconciliation sweep closed as
    unknown meanwhile (the worker was cut from the database for longer than
    ``DELIVERY_STALE_ATTEMPT_SECONDS``, then recorded its answer): the
    provider had the message after all.

    The attempt becomes ``accepted-late`` with its provider reference, so
    receipts for it match (those already set aside are applied again). A
    notification still waiting for its resend (``created``) is taken back
    to ``sending`` as if the answer had come in time, and not sent again;
    its reconciliation is closed unless another attempt is still unsure.
    When the resend already left, the notification keeps its flag, and an
    accepted resend is a confirmed duplicate (``delivery_report``).
    Recording an acceptance twice changes nothing."""
    closed = DeliveryAttempt.objects.filter(
        id=result.attempt_id, outcome=AttemptOutcome.UNKNOWN
    ).update(
        outcome=AttemptOutcome.ACCEPTED_LATE,
        finished_at=result.finished_at,
        provider_reference=result.provider_reference,
        error="",
    )
    if not closed:
        return

    hand_over = {
        "sent_at": result.finished_at,
        "provider": result.provider,
        "provider_reference": result.provider_reference,
    }
    taken_back = _take_back(result, hand_over)
    if not taken_back:
        # A receipt or the resend got there first; keep what we know of
        # the hand-over unless the resend's acceptance holds it already.
        Notification.objects.filter(
            id=result.notification_id, sent_at__isnull=True
        ).update(**hand_over)
    receipts_release_for_reference(
        provider=result.provider, provider_reference=result.provider_reference
    )
    _log_late_acceptance(result, taken_back)


def _take_back(result: AttemptResult, hand_over: dict) -> bool:
    """Move a notification still waiting for its resend back to where the
    acceptance would have left it; return whether it moved."""
    reported = result.reported_status
    if not (reported and is_final(reported)):
        reported = None
    still_unsure = Exists(
        DeliveryAttempt.objects.filter(
            notification_id=OuterRef("id"),
            outcome__in=(AttemptOutcome.UNKNOWN, AttemptOutcome.IN_PROGRESS),
        )
    )
    return notification_move(
        notification_id=result.notification_id,
        event=Event.ACCEPTED_LATE,
        target=reported or S.SENDING,
        reported=reported,
        needs_reconciliation=still_unsure,
        **hand_over,
    )


def _log_late_acceptance(result: AttemptResult, taken_back: bool) -> None:
    later = list(
        DeliveryAttempt.objects.filter(
            notification_id=result.notification_id, id__gt=result.attempt_id
        ).values_list("id", "outcome")
    )
    resent = [attempt_id for attempt_id, outcome in later if outcome in ACCEPTANCES]
    if taken_back:
        what = "not sent again"
    elif resent:
        what = f"the resend (attempt {resent[0]}) was accepted too: a duplicate"
    elif later:
        what = f"the resend (attempt {later[0][0]}) may duplicate it"
    else:
        what = "its notification had moved on"
    logger.warning(
        "Attempt %s of notification %s accepted by %s after its reconciliation; %s",
        result.attempt_id,
        result.notification_id,
        result.provider,
        what,
        extra={
            "notification_id": str(result.notification_id),
            "provider": result.provider,
            "attempt_id": result.attempt_id,
            "duplicate": bool(resent),
        },
    )


def _after_acceptance(result: AttemptResult) -> None:
    if result.reported_status and is_final(result.reported_status):
        notification_move(
            notification_id=result.notification_id,
            event=Event.ACCEPTED,
            target=result.reported_status,
            reported=result.reported_status,
        )
    duration_ms = None
    if result.started_at is not None:
        elapsed = result.finished_at - result.started_at
        duration_ms = int(elapsed.total_seconds() * 1000)
    logger.info(
        "Notification %s handed to %s in %s ms",
        result.notification_id,
        result.provider,
        duration_ms,
        extra={
            "notification_id": str(result.notification_id),
            "provider": result.provider,
            "duration_ms": duration_ms,
        },
    )


def _record_rejection(result: AttemptResult) -> None:
    status = result.reported_status or S.TECHNICAL_FAILURE
    notification_move(
        notification_id=result.notification_id,
        event=Event.REJECTED,
        target=status,
        reported=status,
    )
    logger.warning(
        "Provider %s refused notification %s: %s",
        result.provider,
        result.notification_id,
        status,
        extra={
            "provider": result.provider,
            "notification_id": str(result.notification_id),
        },
    )


def retry_delay(*, attempt_count: int, retry_after: float | None = None) -> float:
    """Exponential back-off with equal jitter: the n-th retry waits between
    half and all of ``base × 2^(n-1)``, capped. Jitter spreads the retries
    of a burst that failed together (a provider outage) so they do not
    come back together; the half kept fixed keeps a floor."""
    base = settings.DELIVERY_RETRY_BASE_SECONDS
    ceiling = min(
        settings.DELIVERY_RETRY_MAX_DELAY_SECONDS,
        base * 2 ** max(attempt_count - 1, 0),
    )
    delay = ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 (not crypto)
    return max(delay, retry_after or 0)


def _earlier_attempts(result: AttemptResult) -> dict:
    """When the notification's first attempt started, and whether one of
    its attempts was accepted after its reconciliation, in one query."""
    return DeliveryAttempt.objects.filter(
        notification_id=result.notification_id
    ).aggregate(
        first=Min("started_at"),
        accepted_late=Count("id", filter=Q(outcome=AttemptOutcome.ACCEPTED_LATE)),
    )


def _retry_budget_left(
    result: AttemptResult, attempt_count: int, delay: float, first
) -> bool:
    if attempt_count >= settings.DELIVERY_MAX_ATTEMPTS:
        return False
    next_attempt = result.finished_at + dt.timedelta(seconds=delay)
    window = dt.timedelta(seconds=settings.DELIVERY_RETRY_WINDOW_SECONDS)
    return first is None or next_attempt - first <= window


def _retry_or_give_up(result: AttemptResult) -> None:
    attempt_count = (
        Notification.objects.filter(id=result.notification_id)
        .values_list("attempt_count", flat=True)
        .first()
    ) or 0
    delay = retry_delay(attempt_count=attempt_count, retry_after=result.retry_after)
    if result.ambiguous:
        resend_after = result.resend_after
        if resend_after is None:
            resend_after = settings.DELIVERY_AMBIGUOUS_RESEND_AFTER_SECONDS
        delay = max(delay, resend_after)
    # A possible duplicate is flagged for operators whatever happens next.
    flags = {"needs_reconciliation": True} if result.ambiguous else {}

    earlier = _earlier_attempts(result)
    if earlier["accepted_late"]:
        _keep_late_acceptance(result, flags)
        return
    if not _retry_budget_left(result, attempt_count, delay, earlier["first"]):
        _give_up(result, attempt_count, flags)
        return
    next_attempt_at = timezone.now() + dt.timedelta(seconds=delay)
    handed_back = notification_move(
        notification_id=result.notification_id,
        event=Event.RETRY,
        target=S.CREATED,
        next_attempt_at=next_attempt_at,
        **flags,
    )
    if not handed_back:
        # A receipt got there first: the provider had it after all.
        return
    _log_retry(result, attempt_count, delay)
    if delay <= settings.DELIVERY_COUNTDOWN_MAX_SECONDS:
        _publish_after_commit(result.notification_id, delay)


def _keep_late_acceptance(result: AttemptResult, flags: dict) -> None:
    """A resend failed, but an earlier attempt was accepted late: the
    provider has the message, so it is neither sent again nor failed."""
    if flags:
        Notification.objects.filter(id=result.notification_id).update(**flags)
    logger.warning(
        "Resend of notification %s failed at %s (attempt %s); not retried: an "
        "earlier attempt was accepted",
        result.notification_id,
        result.provider,
        result.attempt_id,
        extra={
            "notification_id": str(result.notification_id),
            "provider": result.provider,
            "attempt_id": result.attempt_id,
        },
    )


def _publish_after_commit(notification_id: uuid.UUID, delay: float) -> None:
    from deliveries import tasks

    channel = (
        Notification.objects.filter(id=notification_id)
        .values_list("channel", flat=True)
        .get()
    )
    transaction.on_commit(
        lambda: tasks.publish_delivery(
            notification_id=notification_id, channel=channel, countdown=delay
        )
    )


def _give_up(result: AttemptResult, attempt_count: int, flags: dict) -> None:
    moved = notification_move(
        notification_id=result.notification_id,
        event=Event.GIVE_UP,
        target=S.TECHNICAL_FAILURE,
        **flags,
    )
    if moved:
        # The provider's error text stays in the attempt row: it may quote
        # the recipient, which logs must not hold.
        logger.error(
            "Notification %s failed after %s attempts; last from %s (attempt %s)",
            result.notification_id,
            attempt_count,
            result.provider,
            result.attempt_id,
            extra={
                "notification_id": str(result.notification_id),
                "provider": result.provider,
            },
        )


def _log_retry(result: AttemptResult, attempt_count: int, delay: float) -> None:
    extra = {
        "notification_id": str(result.notification_id),
        "provider": result.provider,
        "attempt_id": result.attempt_id,
    }
    if result.ambiguous:
        logger.warning(
            "Outcome of notification %s at %s unknown (attempt %s): marked for "
            "reconciliation, sent again in %.0f s",
            result.notification_id,
            result.provider,
            attempt_count,
            delay,
            extra=extra,
        )
        return
    logger.warning(
        "Provider %s failed on notification %s (attempt %s): retry in %.0f s",
        result.provider,
        result.notification_id,
        attempt_count,
        delay,
        extra=extra,
    )


def notification_wait_after_db_error(*, retries: int) -> float:
    """How long a delivery task waits before trying again after the
    database failed before the provider call (nothing was sent)."""
    return min(30.0, 0.5 * 2**retries) + random.uniform(0, 0.5)  # noqa: S311
