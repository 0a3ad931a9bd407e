"""What a send reads and what one provider call ends with, shared by the
sending, recording, retry and batch modules."""

import dataclasses
import datetime as dt
import uuid

from ..models import AttemptOutcome

# Outcomes of an attempt the provider took.
ACCEPTANCES = (AttemptOutcome.ACCEPTED, AttemptOutcome.ACCEPTED_LATE)

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
