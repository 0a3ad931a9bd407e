"""Provider settings: which adapters send each channel, and their options.

``NOTIFICATION_PROVIDERS`` maps a channel to the dotted path of its adapter
classes, tried in the order given unless the database configuration (the
admin) says otherwise. The fake providers are the default; a system check
refuses them when ``DEBUG`` is off unless ``ALLOW_FAKE_PROVIDERS`` is set
(benchmarks only).
"""

import environ

env = environ.Env()

NOTIFICATION_PROVIDERS = {
    "email": env.list("EMAIL_PROVIDERS", default=["providers.fake.FakeEmailProvider"]),
    "sms": env.list("SMS_PROVIDERS", default=["providers.fake.FakeSmsProvider"]),
}
ALLOW_FAKE_PROVIDERS = env.bool("ALLOW_FAKE_PROVIDERS", default=False)

# How long the fake providers take to answer, in milliseconds.
FAKE_PROVIDER_LATENCY_MS = env.int("FAKE_PROVIDER_LATENCY_MS", default=0)

# Email goes through django-anymail; the ESP is chosen by EMAIL_BACKEND alone,
# for example "anymail.backends.brevo.EmailBackend".
EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
ANYMAIL = {
    "BREVO_API_KEY": env("BREVO_API_KEY", default=""),
    "MAILJET_API_KEY": env("MAILJET_API_KEY", default=""),
    "MAILJET_SECRET_KEY": env("MAILJET_SECRET_KEY", default=""),
    "SCALEWAY_SECRET_KEY": env("SCALEWAY_SECRET_KEY", default=""),
    "SCALEWAY_PROJECT_ID": env("SCALEWAY_PROJECT_ID", default=""),
    "AMAZON_SES_CLIENT_PARAMS": {
        "region_name": env("AMAZON_SES_REGION", default="eu-west-3")
    },
    "WEBHOOK_SECRET": env.list("ANYMAIL_WEBHOOK_SECRET", default=[]),
}

# SMS gateways (each adapter reads its own block).
SMS_PROVIDER_TIMEOUT_SECONDS = env.float("SMS_PROVIDER_TIMEOUT_SECONDS", default=10)
FAKE_PROVIDER_RECEIPT_SINK = "deliveries.receipts.receipt_accept"
