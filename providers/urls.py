"""Receipt webhook URLs, included under ``receipts/``; and anymail's
tracking webhooks, included under ``anymail/`` (only tracking: we receive
no inbound mail).

Anymail's own URL module imports every ESP's webhooks, Amazon SES's with
boto3 (about 35 MB in each web and worker process, since Celery's Django
checks load the URLs too). Here each tracking view is imported at its first
request, so a process only pays for the ESP whose reports it receives.
"""

from django.urls import path
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

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


# Anymail's tracking webhooks: (path, view, URL name), as anymail.urls
# declares them (tests.providers.test_email_receipts checks they match).
TRACKING_WEBHOOKS = [
    (f"{esp}/tracking/", f"anymail.webhooks.{module}.{view}", f"{esp}_tracking_webhook")
    for esp, module, view in [
        ("amazon_ses", "amazon_ses", "AmazonSESTrackingWebhookView"),
        ("brevo", "brevo", "BrevoTrackingWebhookView"),
        ("mailersend", "mailersend", "MailerSendTrackingWebhookView"),
        ("mailgun", "mailgun", "MailgunTrackingWebhookView"),
        ("mailjet", "mailjet", "MailjetTrackingWebhookView"),
        ("mailtrap", "mailtrap", "MailtrapTrackingWebhookView"),
        ("postal", "postal", "PostalTrackingWebhookView"),
        ("postmark", "postmark", "PostmarkTrackingWebhookView"),
        ("resend", "resend", "ResendTrackingWebhookView"),
        ("sendgrid", "sendgrid", "SendGridTrackingWebhookView"),
        ("sendinblue", "sendinblue", "SendinBlueTrackingWebhookView"),
        ("sparkpost", "sparkpost", "SparkPostTrackingWebhookView"),
        ("unisender_go", "unisender_go", "UnisenderGoTrackingWebhookView"),
        ("mandrill", "mandrill", "MandrillCombinedWebhookView"),
    ]
]
# Ours in place of anymail's, where we check more than anymail does.
OUR_TRACKING_VIEWS = {
    "amazon_ses_tracking_webhook": (
        "providers.ses_tracking.VerifiedAmazonSESTrackingWebhookView"
    ),
}


def _lazy_view(dotted_path: str):
    """The tracking view at ``dotted_path``, with our mixin, imported at
    its first request."""
    view = None

    @csrf_exempt
    def tracking_webhook(request, *args, **kwargs):
        nonlocal view
        if view is None:
            view = webhooks.tracking_view(import_string(dotted_path)).as_view()
        return view(request, *args, **kwargs)

    return tracking_webhook


anymail_tracking_urlpatterns = [
    path(route, _lazy_view(OUR_TRACKING_VIEWS.get(name, view)), name=name)
    for route, view, name in TRACKING_WEBHOOKS
]
