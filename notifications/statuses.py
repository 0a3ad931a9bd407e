"""Notification statuses and the only rules that change them.

Statuses are stored as the exact strings the public API returns. Nothing
else in the code decides whether a status may replace another: actions ask
``can_transition`` (or build their conditional updates from
``sources_for``), so a duplicated, late or reordered event can never move a
notification backwards.
"""

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


S = NotificationStatus

FINAL_STATUSES = frozenset(
    {S.SENT, S.DELIVERED, S.TEMPORARY_FAILURE, S.PERMANENT_FAILURE, S.TECHNICAL_FAILURE}
)
FAILURE_STATUSES = frozenset(
    {S.TEMPORARY_FAILURE, S.PERMANENT_FAILURE, S.TECHNICAL_FAILURE}
)

# Which status may follow which. Receipts can arrive late, twice or out of
# order; the table only allows forward moves, so they cannot regress.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.CREATED: frozenset({S.SENDING, S.TECHNICAL_FAILURE}),
    S.SENDING: frozenset(
        {
            S.CREATED,  # handed back for a retry after a temporary error
            S.PENDING,
            S.SENT,
            S.DELIVERED,
            S.TEMPORARY_FAILURE,
            S.PERMANENT_FAILURE,
            S.TECHNICAL_FAILURE,
        }
    ),
    S.PENDING: frozenset(
        {S.DELIVERED, S.TEMPORARY_FAILURE, S.PERMANENT_FAILURE, S.TECHNICAL_FAILURE}
    ),
    S.SENT: frozenset(),
    # An email bounce can be reported after the delivery receipt: the bounce
    # wins, because the address is known to be bad.
    S.DELIVERED: frozenset({S.PERMANENT_FAILURE}),
    S.TEMPORARY_FAILURE: frozenset(),
    S.PERMANENT_FAILURE: frozenset(),
    S.TECHNICAL_FAILURE: frozenset(),
}


def is_final(status: str) -> bool:
    return status in FINAL_STATUSES


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def sources_for(new: str) -> list[str]:
    """Every status from which ``new`` may be reached (for conditional
    updates: ``UPDATE … WHERE status IN sources_for(new)``)."""
    return [current for current, targets in TRANSITIONS.items() if new in targets]
