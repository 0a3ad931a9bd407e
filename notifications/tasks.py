"""Periodic upkeep of the notifications app."""

from celery import shared_task

from . import actions


@shared_task(name="notifications.prune_idempotency_records", acks_late=True)
def prune_idempotency_records() -> int:
    """Delete ``Idempotency-Key`` records older than 24 hours."""
    return actions.idempotency_records_prune()
