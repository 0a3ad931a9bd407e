"""``Idempotency-Key`` on sends: the first answer is kept 24 hours and
replayed to retries of the same request.

A key is claimed by inserting an ``in-progress`` record in its own
transaction, so a concurrent request with the same key sees it and gets
409. The record becomes ``done``, with the response, in the transaction
that stores the notification. A request that fails releases its key (a
refused request changed nothing: it is safe to retry). A claim held longer
than ``API_IDEMPOTENCY_LOCK_SECONDS`` belongs to a process that died and
may be taken over.
"""

import datetime as dt
import hashlib
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from config.api import ApiError

from ..models import IdempotencyRecord
from .rows import row_insert, row_update

logger = logging.getLogger(__name__)

MAX_KEY_LENGTH = 255
KEY_REUSED = (
    "Idempotency-Key has already been used for a different request; use a new "
    "key for a new request"
)
IN_PROGRESS = (
    "A request with this Idempotency-Key is still in progress; retry once it "
    "has finished"
)


class IdempotencyConflictError(ApiError):
    """The first request with this key has not finished yet (409)."""

    error = "ConflictError"
    http_status = 409


class IdempotencyKeyReusedError(ApiError):
    """The key was used with another request (422)."""

    error = "UnprocessableEntityError"
    http_status = 422


@dataclass(frozen=True)
class Claim:
    record_id: int | None = None
    # Set when the request was answered before: status and body to replay.
    replay_status: int | None = None
    replay_body: dict | None = None


def fingerprint(*, method: str, path: str, body: str) -> str:
    return hashlib.sha256(f"{method}\n{path}\n{body}".encode()).hexdigest()


_CLAIM = ' ON CONFLICT ("service_id", "key_type", "key") DO NOTHING RETURNING "id"'


def idempotency_claim(
    *,
    service_id: uuid.UUID | str,
    key_type: str,
    key: str,
    request_fingerprint: str,
) -> Claim:
    """Claim ``key`` for this request, or say how to answer: replay the
    first answer, or raise 409 (in progress) or 422 (another request).

    Keys are scoped per service and key type: a test key never replays (nor
    is refused for) a live key's request, as it never reads its
    notifications."""
    values = {
        "service_id": service_id,
        "key_type": key_type,
        "key": key,
        "fingerprint": request_fingerprint,
    }
    for _ in range(3):
        # A key already held inserts nothing (and raises nothing, so no
        # savepoint is needed inside a caller's transaction).
        inserted = row_insert(IdempotencyRecord, values, suffix=_CLAIM)
        if inserted is not None:
            return Claim(record_id=inserted[0])
        claim = _existing(values)
        if claim is not None:
            return claim
    raise IdempotencyConflictError(IN_PROGRESS)


def _existing(values: dict) -> Claim | None:
    """Decide on a key already held; ``None`` when it vanished or expired
    (the caller claims it again)."""
    now = timezone.now()
    service_id, request_fingerprint = values["service_id"], values["fingerprint"]
    record = IdempotencyRecord.objects.filter(
        service_id=service_id, key_type=values["key_type"], key=values["key"]
    ).first()
    if record is None:
        return None
    if record.created_at < now - dt.timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS):
        IdempotencyRecord.objects.filter(id=record.id).delete()
        return None
    if record.fingerprint != request_fingerprint:
        raise IdempotencyKeyReusedError(KEY_REUSED)
    if record.state == IdempotencyRecord.State.DONE:
        return Claim(
            replay_status=record.response_status, replay_body=record.response_body
        )

    stale = now - dt.timedelta(seconds=settings.API_IDEMPOTENCY_LOCK_SECONDS)
    if record.locked_at < stale:
        taken = IdempotencyRecord.objects.filter(
            id=record.id, state=record.state, locked_at=record.locked_at
        ).update(locked_at=now)
        if taken:
            logger.warning(
                "Idempotency key of service %s taken over from a dead request",
                service_id,
                extra={"service_id": str(service_id)},
            )
            return Claim(record_id=record.id)
    raise IdempotencyConflictError(IN_PROGRESS)


def idempotency_complete(
    *,
    record_id: int,
    status: int,
    body: dict,
    notification_id: uuid.UUID | None,
) -> None:
    """Keep the answer; call it in the transaction that stores the
    notification."""
    row_update(
        IdempotencyRecord,
        record_id,
        {
            "state": IdempotencyRecord.State.DONE,
            "response_status": status,
            "response_body": body,
            "notification_id": notification_id,
        },
    )


def idempotency_release(*, record_id: int) -> None:
    """Give the key back after a failed request."""
    IdempotencyRecord.objects.filter(
        id=record_id, state=IdempotencyRecord.State.IN_PROGRESS
    ).delete()


def idempotency_records_prune() -> int:
    """Delete records older than the retention (24 hours); return how
    many."""
    cutoff = timezone.now() - dt.timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    if deleted:
        logger.info("Pruned %s idempotency records", deleted)
    return deleted
