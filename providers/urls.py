"""Receipt webhook URLs, included under ``receipts/``; and anymail's
tracking webhooks, included under ``anymail/`` (only tracking: we receive
no inbound mail)."""

from anymail import urls as anymail_urls
from django.urls import URLPattern, path

from . import webhooks

app_name = "providers"

urlpatterns = [
    path(
        "sms/<slug:provider_name>/",
        webhooks.sms_receipt_webhook,
        name="sms-receipt",
    ),
    path(
        "sms/<slug:provider_name>/<str:secret>/",
        webhooks.sms_receipt_webhook,
        name="sms-receipt-with-secret",
    ),
]


def _tracking_patterns():
    patterns = []
    for pattern in anymail_urls.urlpatterns:
        if not (pattern.name or "").endswith("_tracking_webhook"):
            continue
        view_class = pattern.callback.view_class
        if pattern.name == "amazon_ses_tracking_webhook":
            view_class = webhooks.VerifiedAmazonSESTrackingWebhookView
        view = webhooks.tracking_view(view_class).as_view()
        patterns.append(URLPattern(pattern.pattern, view, name=pattern.name))
    return patterns


anymail_tracking_urlpatterns = _tracking_patterns()
