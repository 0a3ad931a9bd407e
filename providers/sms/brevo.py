"""Brevo transactional SMS (https://developers.brevo.com, "Send
transactional SMS").

Send: ``POST {API_URL}transactionalSMS/send`` with the ``api-key`` header;
the recipient is international format without "+". Brevo offers no client
reference, so a resend cannot be deduplicated on its side.

Receipts: Brevo POSTs one JSON report per event to the ``webUrl`` given
with the message (we send it when ``RECEIPT_WEBHOOK_BASE_URL`` is set) or
to an account webhook. Brevo can add HTTP Basic credentials to the URL or
a Bearer token ("Secure webhook calls").
"""

import datetime as dt

from ..base import OutgoingSms, ProviderPermanentError, SendResult
from ..http import error_for_status, json_or_empty, post_json
from ..receipts import stable_event_id
from .base import HttpSmsProvider, is_gsm7

# Brevo names events both ``soft_bounce`` (msg_status) and ``softBounce``
# (event list); keys are lowercased with underscores dropped.
BREVO_STATUSES: dict[str, str | None] = {
    "sent": "pending",
    "accepted": "pending",
    "delivered": "delivered",
    # The handset was unreachable until the message expired.
    "softbounce": "temporary-failure",
    # The number does not exist or cannot receive SMS.
    "hardbounce": "permanent-failure",
    # Brevo refused the number (blocklisted, opted out).
    "rejected": "permanent-failure",
    "blocked": "permanent-failure",
    # Brevo skipped the message without saying the number was bad.
    "skip": "technical-failure",
    "replied": None,
    "subscribe": None,
    "unsubscribe": None,
}


class BrevoSmsProvider(HttpSmsProvider):
    name = "brevo-sms"
    settings_name = "BREVO_SMS"
    required_settings = ("API_KEY",)
    STATUSES = BREVO_STATUSES

    def send_sms(self, sms: OutgoingSms) -> SendResult:
        config = self.config
        payload = {
            "sender": self.sender_for(sms.sender),
            "recipient": sms.to.lstrip("+"),
            "content": sms.body,
            "type": "transactional",
            "unicodeEnabled": not is_gsm7(sms.body),
        }
        if config.get("TAG"):
            payload["tag"] = config["TAG"]
        if receipt_url := self.receipt_url():
            payload["webUrl"] = receipt_url
        headers = {"api-key": config.get("API_KEY", ""), "accept": "application/json"}
        url = (
            f"{config.get('API_URL', 'https://api.brevo.com/v3/')}transactionalSMS/send"
        )

        response = post_json(self.name, url, payload=payload, headers=headers)

        body = json_or_empty(response)
        if not response.ok:
            raise self._error(response, body)
        return SendResult(
            provider=self.name, provider_reference=str(body.get("messageId", ""))
        )

    def _error(self, response, body: dict):
        code = str(body.get("code", ""))
        message = str(body.get("message", ""))
        detail = f"{code} {message}".strip()
        if response.status_code == 400 and "recipient" in message.lower():
            return ProviderPermanentError(
                f"{self.name} refused the recipient: {detail}", provider=self.name
            )
        return error_for_status(self.name, response, detail)

    def events_from(self, body) -> list:
        reports = body if isinstance(body, list) else [body]
        return [self._event(report) for report in reports if isinstance(report, dict)]

    def _event(self, report: dict):
        vendor_status = str(report.get("msg_status") or report.get("event") or "")
        status = self.status_for(vendor_status.lower().replace("_", ""))
        if status is None:
            return None
        reference = str(report.get("messageId") or report.get("message_id") or "")
        return self.event(
            provider_event_id=stable_event_id(reference, vendor_status, payload=report),
            provider_reference=reference,
            status=status,
            occurred_at=_timestamp(report),
            description=vendor_status,
            payload=report,
        )


def _timestamp(report: dict) -> dt.datetime | None:
    # ``ts_*`` fields are UTC epochs; ``date`` is in the account's time zone.
    for key in ("ts_event", "ts_epoch", "ts"):
        value = report.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            seconds = value / 1000 if value > 10**11 else value
            try:
                return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
            except (OverflowError, OSError, ValueError):
                return None
    return None
