"""Notification statuses and the only rules that change them.

Statuses are stored as the exact strings the public API returns. Nothing
else in the code decides whether a status may replace another: actions ask
``next_status`` (or build their conditional updates from ``sources_for``),
so a task run twice or a receipt that comes twice, late or out of order
cannot move a notification backwards.

The life of a notification, as events:

- ``CLAIM``: a worker takes a ``created`` notification to hand it over
  (``created → sending``); only one claimer wins.
- ``RETRY``: the attempt failed for now (the provider did not take it);
  the worker hands it back (``sending → created``) and the relay publishes
  it again when its back-off is over. This is the one move back, and only
  the holder of the claim makes it (the update requires ``sending``; a
  receipt that got there first wins).
- ``ACCEPTED``: the provider took it. The status stays ``sending`` unless
  the provider reported a status synchronously (``sent``: an international
  SMS, for which no receipt follows).
- ``ACCEPTED_LATE``: the acceptance of an attempt that the reconciliation
  sweep had already closed as unknown (the worker lost the database for
  longer than the stale delay) and handed back: ``created → sending`` (or
  the synchronous final status), which takes the notification before a
  resend claims it, so the first send is not repeated. From any other
  status it changes nothing (the resend left, or a receipt got there).
- ``REJECTED``: the provider refused it for good: ``permanent-failure``
  (bad recipient) or ``technical-failure`` (our request was bad).
- ``RECEIPT``: a provider's delivery receipt (see the precedence below).
- ``TIMEOUT``: no final receipt 72 hours after hand-over
  (``sending``/``pending → temporary-failure``).
- ``GIVE_UP``: retries exhausted, or the notification could not be handed
  over at all (``created``/``sending → technical-failure``).

Precedence between final statuses (receipts only). Receipts arrive late,
twice and out of order. A receipt's final status replaces a final status
only when it ranks higher for the channel, so the outcome is the same
whatever the order, and a notification changes final status at most a few
times (ranks only go up):

- Email: ``technical-failure`` < ``temporary-failure`` < ``delivered`` <
  ``permanent-failure``. A receiving server may accept a message (the
  provider reports ``delivered``) and bounce it later: the bounce wins,
  because the address is known to be bad and the service must stop using
  it. A delivery reported after a soft bounce or after our 72-hour time-out
  wins over them: the provider kept trying and succeeded. Nothing replaces
  a hard bounce.
- SMS: ``technical-failure``, ``sent`` < ``temporary-failure`` <
  ``permanent-failure`` < ``delivered``. An SMS cannot bounce once the
  handset has acknowledged it, and the handset's acknowledgement is the
  strongest evidence there is; failure reports that arrive after it are
  intermediate reports from a route the gateway then retried through
  another, delivered out of order. So ``delivered`` wins over everything.

``technical-failure`` ranks lowest on both channels: we set it when we
believe the provider never took the message, and a receipt proves
otherwise (it happens after an ambiguous time-out).
"""

import enum

from django.db import models


class NotificationStatus(models.TextChoices):
    CREATED = "created", "En attente"
    SENDING = "sending", "En cours d’envoi"
    PENDING = "pending", "En attente de confirmation"
    SENT = "sent", "Envoyé (international)"
    DELIVERED = "delivered", "Distribué"
    TEMPORARY_FAILURE = "temporary-failure", "Échec temporaire"
    PERMANENT_FAILURE = "permanent-failure", "Échec permanent"
    TECHNICAL_FAILURE = "technical-failure", "Échec technique"


class Event(enum.StrEnum):
    CLAIM = "claim"
    RETRY = "retry"
    ACCEPTED = "accepted"
    ACCEPTED_LATE = "accepted-late"
    REJECTED = "rejected"
    RECEIPT = "receipt"
    TIMEOUT = "timeout"
    GIVE_UP = "give-up"


S = NotificationStatus

ALL_STATUSES = tuple(S)
FINAL_STATUSES = frozenset(
    {S.SENT, S.DELIVERED, S.TEMPORARY_FAILURE, S.PERMANENT_FAILURE, S.TECHNICAL_FAILURE}
)
FAILURE_STATUSES = frozenset(
    {S.TEMPORARY_FAILURE, S.PERMANENT_FAILURE, S.TECHNICAL_FAILURE}
)
# Statuses a provider may report in a receipt.
RECEIPT_STATUSES = frozenset(
    {
        S.PENDING,
        S.SENT,
        S.DELIVERED,
        S.TEMPORARY_FAILURE,
        S.PERMANENT_FAILURE,
        S.TECHNICAL_FAILURE,
    }
)
REJECTION_STATUSES = frozenset({S.PERMANENT_FAILURE, S.TECHNICAL_FAILURE})

# Rank of each final status per channel: a receipt's final status replaces
# the current final status only when it ranks strictly higher.
FINAL_RANK: dict[str, dict[str, int]] = {
    "email": {
        S.TECHNICAL_FAILURE: 0,
        S.SENT: 0,
        S.TEMPORARY_FAILURE: 1,
        S.DELIVERED: 2,
        S.PERMANENT_FAILURE: 3,
    },
    "sms": {
        S.TECHNICAL_FAILURE: 0,
        S.SENT: 0,
        S.TEMPORARY_FAILURE: 1,
        S.PERMANENT_FAILURE: 2,
        S.DELIVERED: 3,
    },
}

# How far along a notification is, for "never moves backwards" (the only
# exception is the RETRY hand-back, ``sending → created``).
PROGRESS = {S.CREATED: 0, S.SENDING: 1, S.PENDING: 2}


def progress(channel: str, status: str) -> int:
    if status in FINAL_STATUSES:
        return 3 + FINAL_RANK[channel][status]
    return PROGRESS[status]


def is_final(status: str) -> bool:
    return status in FINAL_STATUSES


def _after_receipt(channel: str, current: str, reported: str) -> str | None:
    if reported not in RECEIPT_STATUSES:
        return None
    if current not in FINAL_STATUSES:
        # Anything reported before a final status moves forward; a
        # ``pending`` after ``pending`` changes nothing.
        if reported == S.PENDING and current == S.PENDING:
            return None
        return reported
    if reported not in FINAL_STATUSES:
        return None
    ranks = FINAL_RANK[channel]
    return reported if ranks[reported] > ranks[current] else None


def next_status(
    *, channel: str, current: str, event: str, reported: str | None = None
) -> str | None:
    """The status ``event`` moves a notification to from ``current``, or
    ``None`` when the event changes nothing (it is late, a duplicate, or not
    allowed from there). ``reported`` is the status a receipt, a synchronous
    acceptance or a rejection carries."""
    if event == Event.CLAIM:
        return S.SENDING if current == S.CREATED else None
    if event == Event.RETRY:
        return S.CREATED if current == S.SENDING else None
    if event == Event.ACCEPTED:
        accepted_with_final = reported in FINAL_STATUSES
        return reported if current == S.SENDING and accepted_with_final else None
    if event == Event.ACCEPTED_LATE:
        if current != S.CREATED:
            return None
        return reported if reported in FINAL_STATUSES else S.SENDING
    if event == Event.REJECTED:
        allowed = current == S.SENDING and reported in REJECTION_STATUSES
        return reported if allowed else None
    if event == Event.RECEIPT:
        return _after_receipt(channel, current, reported)
    if event == Event.TIMEOUT:
        return S.TEMPORARY_FAILURE if current in (S.SENDING, S.PENDING) else None
    if event == Event.GIVE_UP:
        return S.TECHNICAL_FAILURE if current in (S.CREATED, S.SENDING) else None
    raise ValueError(f"unknown event {event!r}")


def sources_for(
    *, channel: str, event: str, target: str, reported: str | None = None
) -> list[str]:
    """Every status from which ``event`` leads to ``target``, for
    conditional updates (``UPDATE … WHERE status IN (…)``), which make the
    check and the change one atomic step."""
    return [
        current
        for current in ALL_STATUSES
        if next_status(channel=channel, current=current, event=event, reported=reported)
        == target
    ]
