"""Receipt webhooks: SMS gateways report delivery here.

``POST /receipts/sms/<provider name>/`` (or ``…/<secret>/``). In order:
find the adapter, refuse an oversized body, authenticate (401 without
credentials, 403 with wrong ones; nothing is stored), parse, hand each
event to the receipt sink, answer 200. Only a failing sink answers 5xx, so
the gateway sends the report again; a body we cannot read answers 400.

Email receipts come through anymail's own tracking webhooks
(``/anymail/<esp>/tracking/``, see ``providers.email``).
"""

import logging

from anymail.exceptions import AnymailAPIError, AnymailWebhookValidationFailure
from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import receipts, registry
from .base import ReceiptAuthenticationError, ReceiptParseError

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 256 * 1024


def _too_big(request) -> bool:
    limit = int(getattr(settings, "RECEIPT_WEBHOOK_MAX_BYTES", DEFAULT_MAX_BYTES))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > limit


def _refused(provider_name: str, request, error: ReceiptAuthenticationError):
    logger.warning(
        "Refused a receipt webhook for %s: %s",
        provider_name,
        error,
        extra={"provider": provider_name},
    )
    if request.META.get("HTTP_AUTHORIZATION") or request.resolver_match.kwargs.get(
        "secret"
    ):
        return HttpResponse("Forbidden", status=403, content_type="text/plain")
    response = HttpResponse("Unauthorized", status=401, content_type="text/plain")
    response["WWW-Authenticate"] = 'Basic realm="receipts", charset="UTF-8"'
    return response


def _unlogged(response: HttpResponse) -> HttpResponse:
    # Django logs 4xx and 5xx answers with their path, which may hold the
    # receipt secret: we log these answers ourselves, without the path.
    response._has_been_logged = True
    return response


@csrf_exempt
@require_POST
def sms_receipt_webhook(request, provider_name: str, secret: str = ""):
    return _unlogged(_receive(request, provider_name))


def _receive(request, provider_name: str) -> HttpResponse:
    adapter = registry.receipt_adapter(provider_name)
    if adapter is None:
        logger.warning("Receipt webhook for an unknown provider")
        return HttpResponse("Unknown provider", status=404, content_type="text/plain")
    if _too_big(request):
        logger.warning(
            "Oversized receipt webhook for %s",
            provider_name,
            extra={"provider": provider_name},
        )
        return HttpResponse("Too large", status=413, content_type="text/plain")

    try:
        events = adapter.parse_receipts(request)
    except ReceiptAuthenticationError as error:
        return _refused(provider_name, request, error)
    except ReceiptParseError as error:
        logger.warning(
            "Unreadable receipt webhook for %s: %s",
            provider_name,
            error,
            extra={"provider": provider_name},
        )
        return HttpResponse("Bad request", status=400, content_type="text/plain")

    try:
        receipts.hand_to_sink(events)
    except Exception:
        logger.exception(
            "Could not store receipts from %s",
            provider_name,
            extra={"provider": provider_name},
        )
        return HttpResponse("Try again", status=503, content_type="text/plain")

    return HttpResponse("OK", content_type="text/plain")


# What anymail's parsers raise on a body they cannot read.
MALFORMED_REPORT_ERRORS = (
    AnymailAPIError,
    AttributeError,
    IndexError,
    KeyError,
    TypeError,
    ValueError,
)


class TrackingWebhookMixin:
    """Anymail's tracking webhooks as we serve them: a report we cannot
    read answers 400 (retrying it would not help) instead of 500. A failing
    receipt sink still answers 500, so the ESP sends the report again."""

    def run_validators(self, request) -> None:
        try:
            super().run_validators(request)
        except MALFORMED_REPORT_ERRORS as error:
            raise self._malformed(error) from error
        self.check_report(request)

    def check_report(self, request) -> None:
        """More checks, after anymail's (which include its Basic
        credentials)."""

    def parse_events(self, request):
        try:
            return super().parse_events(request)
        except MALFORMED_REPORT_ERRORS as error:
            raise self._malformed(error) from error

    def _malformed(self, error: Exception) -> AnymailWebhookValidationFailure:
        logger.warning(
            "Unreadable %s tracking report: %s",
            self.esp_name,
            error.__class__.__name__,
            extra={"provider": self.esp_name},
        )
        return AnymailWebhookValidationFailure(f"Unreadable {self.esp_name} report")


def tracking_view(view_class):
    """``view_class`` (an anymail tracking webhook) with our mixin."""
    if issubclass(view_class, TrackingWebhookMixin):
        return view_class
    return type(view_class.__name__, (TrackingWebhookMixin, view_class), {})
