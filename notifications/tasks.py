"""Periodic upkeep of the notifications app."""

import dataclasses

from celery import shared_task

from . import actions


@shared_task(name="notifications.prune_idempotency_records", acks_late=True)
def prune_idempotency_records() -> int:
    """Delete ``Idempotency-Key`` records older than 24 hours."""
    return actions.idempotency_records_prune()


@shared_task(name="notifications.erase_expired_personal_data", acks_late=True)
def erase_expired_personal_data() -> dict:
    """Erase personal data past each service's retention period."""
    return dataclasses.asdict(actions.personal_data_erase_expired())
