"""Octopush (https://dev.octopush.com, API v1).

Send: ``POST {API_URL}sms-campaign/send`` with the ``api-login`` and
``api-key`` headers, one recipient in E.164. ``purpose: alert`` marks the
message transactional (sent day and night, no STOP mention).
``request_id`` is our notification id: Octopush refuses a second campaign
with the same id for 24 hours (code 120), so a resend after an ambiguous
failure does not reach the recipient twice.

Receipts: a JSON report per message to the callback URL set in the
Octopush account. Octopush signs nothing: give the secret in the URL.
"""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from ..base import (
    OutgoingSms,
    ProviderPermanentError,
    ProviderTemporaryError,
    SendResult,
)
from ..http import error_for_status, json_or_empty, post_json
from ..receipts import stable_event_id
from .base import HttpSmsProvider

logger = logging.getLogger(__name__)

OCTOPUSH_STATUSES: dict[str, str | None] = {
    # Acknowledged by the operator; the handset has not answered yet.
    "ACK": "pending",
    "DELIVERED": "delivered",
    # Handset off or out of coverage until the message expired.
    "NOT_DELIVERED": "temporary-failure",
    "UNKNOWN_DELIVERY": "temporary-failure",
    "UNDEFINED": "temporary-failure",
    "NOT_ALLOWED": "permanent-failure",
    "BAD_DESTINATION": "permanent-failure",
    "BLACKLISTED_NUMBER": "permanent-failure",
}

# Handed over, delivery never to be reported (the API's status string).
STATUS_SENT = "sent"

# Octopush's own error codes, from its "return codes" page.
CODE_DUPLICATE_REQUEST = 120
CODES_NO_CREDIT = {104, 105}
CODES_BAD_RECIPIENT = {117}

PARIS = ZoneInfo("Europe/Paris")


class OctopushSmsProvider(HttpSmsProvider):
    name = "octopush-sms"
    settings_name = "OCTOPUSH"
    required_settings = ("API_LOGIN", "API_KEY")
    STATUSES = OCTOPUSH_STATUSES

    def send_sms(self, sms: OutgoingSms) -> SendResult:
        config = self.config
        payload = {
            "recipients": [{"phone_number": sms.to}],
            "text": sms.body,
            "type": config.get("SMS_TYPE", "sms_premium"),
            "purpose": "alert",
            "sender": self.sender_for(sms.sender),
            "request_id": str(sms.notification_id),
            "with_replies": False,
        }
        if config.get("SIMULATION"):
            payload["simulation_mode"] = True
        headers = {
            "api-login": config.get("API_LOGIN", ""),
            "api-key": config.get("API_KEY", ""),
        }
        api_url = config.get("API_URL", "https://api.octopush.com/v1/public/")

        response = post_json(
            self.name, f"{api_url}sms-campaign/send", payload=payload, headers=headers
        )

        body = json_or_empty(response)
        if response.ok and body.get("sms_ticket"):
            return SendResult(provider=self.name, provider_reference=body["sms_ticket"])
        return self._refusal(sms, response, body)

    def _refusal(self, sms: OutgoingSms, response, body: dict) -> SendResult:
        code = _int_or_none(body.get("code"))
        detail = f"code {code}: {body.get('message', '')}".strip()
        if code == CODE_DUPLICATE_REQUEST:
            # An earlier attempt got through and Octopush refused the copy:
            # the message is on its way, but we never learnt its ticket.
            # (Only a resend after an ambiguous attempt gets here, so the
            # notification is already flagged needs_reconciliation.) Its
            # receipts cannot reach us: they carry the ticket (message_id),
            # the number, list_name and a meta_data empty for SMS, and
            # nothing we send (request_id, param1-5) comes back, nor does any
            # endpoint find a campaign by request_id. So the notification
            # ends "sent", Notify's final status for a message handed over
            # whose delivery will not be reported, rather than
            # temporary-failure at the 72-hour time-out. Matching such a
            # receipt by phone number would key on personal data: not done.
            logger.warning(
                "Provider %s already had notification %s",
                self.name,
                sms.notification_id,
                extra={
                    "provider": self.name,
                    "notification_id": str(sms.notification_id),
                },
            )
            return SendResult(
                provider=self.name, provider_reference="", status=STATUS_SENT
            )
        if code in CODES_NO_CREDIT:
            raise ProviderTemporaryError(
                f"{self.name} has no credit left ({detail})", provider=self.name
            )
        if code in CODES_BAD_RECIPIENT:
            raise ProviderPermanentError(
                f"{self.name} refused the recipient ({detail})", provider=self.name
            )
        if response.ok:
            # A 2xx without a ticket: Octopush may have taken it.
            raise ProviderTemporaryError(
                f"{self.name} answered without a ticket",
                provider=self.name,
                ambiguous=True,
            )
        raise error_for_status(self.name, response, detail)

    def events_from(self, body) -> list:
        reports = body if isinstance(body, list) else [body]
        return [self._event(report) for report in reports if isinstance(report, dict)]

    def _event(self, report: dict):
        vendor_status = str(report.get("status", "")).upper()
        status = self.status_for(vendor_status)
        if status is None:
            return None
        reference = str(report.get("message_id") or report.get("sms_ticket") or "")
        return self.event(
            provider_event_id=stable_event_id(reference, vendor_status, payload=report),
            provider_reference=reference,
            status=status,
            occurred_at=_paris_time(report.get("delivery_date")),
            description=vendor_status,
            payload=report,
        )


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _paris_time(value) -> dt.datetime | None:
    # Octopush reports local French time without an offset.
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=PARIS)
