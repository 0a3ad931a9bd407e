"""Receipt webhook URLs, included under ``receipts/``; and anymail's
tracking webhooks, included under ``anymail/`` (only tracking: we receive
no inbound mail)."""

from anymail import urls as anymail_urls
from django.urls import path

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

anymail_tracking_urlpatterns = [
    path(
        "amazon_ses/tracking/",
        webhooks.VerifiedAmazonSESTrackingWebhookView.as_view(),
        name="amazon_ses_tracking_webhook",
    ),
    *(
        pattern
        for pattern in anymail_urls.urlpatterns
        if pattern.name
        and pattern.name.endswith("_tracking_webhook")
        and pattern.name != "amazon_ses_tracking_webhook"
    ),
]
