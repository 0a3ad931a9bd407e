"""Handing a notification to a provider: build the message, choose the
provider, claim, call, then record (``recording``) and retry (``retries``).

The order of steps is what makes a send happen once:

1. claim (``created → sending``, a conditional update) and insert the
   ``DeliveryAttempt`` in one transaction: a task delivered twice finds
   nothing to claim;
2. call the provider outside any transaction, with the adapter's time-out;
3. record the answer (attempt outcome, then the notification's status, its
   ``sent_at`` or its retry) in one transaction: see
   ``deliveries.actions.recording``. When the database is away at that
   moment, the answer is retried on a new connection, then handed to the
   ``record_attempt_result`` task, so an accepted send is not forgotten.

An attempt left ``in-progress`` means the worker died (or lost the database
for good) between 1 and 3: the provider may or may not have the message.
The reconciliation sweep (``attempts_reconcile_stale``) marks such
notifications ``needs_reconciliation`` and sends them again: see
``deliveries.actions.sweeps`` for why. When the answer turns up after all
(the worker was only cut from the database), it is recorded as
``accepted-late``: see ``recording._record_late_acceptance``.
"""

import logging
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from notifications.models import Notification
from notifications.statuses import Event, NotificationStatus
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
from .attempts import SENDING_FIELDS, AttemptResult
from .common import (
    combined_statements,
    notification_move,
    status_filter,
    update_sql,
)
from .recording import _count_for_failover, _record

logger = logging.getLogger(__name__)

S = NotificationStatus

# Test-key notifications never reach a configured provider: they go to the
# fake providers' simulated outcomes (GOV.UK Notify's research mode).
SIMULATORS = {"email": fake.FakeEmailProvider, "sms": fake.FakeSmsProvider}


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
