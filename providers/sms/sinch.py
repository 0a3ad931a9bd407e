"""Sinch SMS REST API, EU region (https://developers.sinch.com, "SMS API").

Send: ``POST https://eu.sms.api.sinch.com/xms/v1/{service_plan_id}/batches``
with a Bearer API token; one batch per notification, ``client_reference``
set to our notification id (Sinch keeps it but does not deduplicate on
it). ``delivery_report: per_recipient_final`` asks for one receipt per
message, with its final status only.

Receipts: a ``recipient_delivery_report_sms`` JSON report to the batch's
``callback_url`` (sent when ``RECEIPT_WEBHOOK_BASE_URL`` is set) or the
service plan's callback URL. Sinch authenticates callbacks with HTTP Basic
credentials put in the callback URL; Sinch retries on 5xx and 429 for
about 23 hours, and never on other 4xx.
"""

from django.utils.dateparse import parse_datetime

from ..base import OutgoingSms, SendResult
from ..http import error_for_status, json_or_empty, post_json
from ..receipts import parse_notification_id, stable_event_id
from .base import HttpSmsProvider

# Receipts are authenticated by the Basic credentials in the callback URL
# (compared in constant time, several allowed while rotating). Sinch can
# also sign SMS callbacks with an HMAC set per service plan on request to
# its account managers, but publishes no scheme for it, so it is not used.

SINCH_STATUSES: dict[str, str | None] = {
    "Queued": "pending",
    "Dispatched": "pending",
    "Delivered": "delivered",
    # The operator could not deliver before the message expired.
    "Failed": "temporary-failure",
    "Expired": "temporary-failure",
    "Unknown": "temporary-failure",
    # Sinch or the operator refused the number.
    "Rejected": "permanent-failure",
    # Stopped on our side or Sinch's, not the recipient's.
    "Aborted": "technical-failure",
    "Cancelled": "technical-failure",
    "Deleted": "technical-failure",
}


class SinchSmsProvider(HttpSmsProvider):
    name = "sinch-sms"
    settings_name = "SINCH_SMS"
    required_settings = ("SERVICE_PLAN_ID", "API_TOKEN")
    STATUSES = SINCH_STATUSES

    def send_sms(self, sms: OutgoingSms) -> SendResult:
        config = self.config
        payload = {
            "from": self.sender_for(sms.sender),
            "to": [sms.to],
            "body": sms.body,
            "delivery_report": config.get("DELIVERY_REPORT", "per_recipient_final"),
            "client_reference": str(sms.notification_id),
        }
        if receipt_url := self.receipt_url():
            payload["callback_url"] = receipt_url
        headers = {"Authorization": f"Bearer {config.get('API_TOKEN', '')}"}
        api_url = config.get("API_URL", "https://eu.sms.api.sinch.com/xms/v1/")
        url = f"{api_url}{config.get('SERVICE_PLAN_ID', '')}/batches"

        response = post_json(self.name, url, payload=payload, headers=headers)

        body = json_or_empty(response)
        if not response.ok:
            detail = f"{body.get('code', '')} {body.get('text', '')}".strip()
            raise error_for_status(self.name, response, detail)
        return SendResult(
            provider=self.name, provider_reference=str(body.get("id", ""))
        )

    def events_from(self, body) -> list:
        reports = body if isinstance(body, list) else [body]
        return [self._event(report) for report in reports if isinstance(report, dict)]

    def _event(self, report: dict):
        # Batch-level summaries ("delivery_report_sms") come only with the
        # summary or full report types, which we never ask for.
        if report.get("type") != "recipient_delivery_report_sms":
            return None
        vendor_status = str(report.get("status", ""))
        status = self.status_for(vendor_status)
        if status is None:
            return None
        reference = str(report.get("batch_id", ""))
        at = report.get("at")
        return self.event(
            provider_event_id=stable_event_id(
                reference, vendor_status, report.get("code"), at
            ),
            provider_reference=reference,
            notification_id=parse_notification_id(report.get("client_reference")),
            status=status,
            occurred_at=_datetime_or_none(at),
            description=f"{vendor_status} (code {report.get('code')})",
            payload=report,
        )


def _datetime_or_none(value):
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None
