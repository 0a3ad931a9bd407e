"""Provider settings: which adapters send each channel, their credentials,
time-outs, failover and receipt webhooks.

``NOTIFICATION_PROVIDERS`` maps a channel to its adapters (dotted paths),
tried in the order given. It seeds the database configuration the first
time a channel is used; after that the admin (``ProviderSetting``) decides
which providers are active and in which order. The fake providers are the
default; a system check refuses them when ``DEBUG`` is off unless
``ALLOW_FAKE_PROVIDERS`` is set (benchmarks only).

Credentials come from the environment only, with empty defaults here; the
system checks refuse a configured provider that lacks them.
"""

import environ

env = environ.Env()

NOTIFICATION_PROVIDERS = {
    "email": env.list("EMAIL_PROVIDERS", default=["providers.fake.FakeEmailProvider"]),
    "sms": env.list("SMS_PROVIDERS", default=["providers.fake.FakeSmsProvider"]),
}
ALLOW_FAKE_PROVIDERS = env.bool("ALLOW_FAKE_PROVIDERS", default=False)

# Where receipts go: a function taking one ``providers.base.ReceiptEvent``
# (it stores the event once and applies it in a task). The webhooks, the
# anymail tracking signal and the fake providers all call it.
PROVIDER_RECEIPT_SINK = env(
    "PROVIDER_RECEIPT_SINK", default="deliveries.receipts.receipt_accept"
)

# Failover: this many failures of a provider within the window (with no
# success in between) skip it for the cool-down; the choice is made again
# at each attempt. The database configuration is re-read this often.
PROVIDER_FAILURE_THRESHOLD = env.int("PROVIDER_FAILURE_THRESHOLD", default=5)
PROVIDER_FAILURE_WINDOW_SECONDS = env.int("PROVIDER_FAILURE_WINDOW_SECONDS", default=60)
PROVIDER_COOLDOWN_SECONDS = env.int("PROVIDER_COOLDOWN_SECONDS", default=60)
PROVIDER_CONFIG_CACHE_SECONDS = env.float("PROVIDER_CONFIG_CACHE_SECONDS", default=10)

# The fake providers: how long they take to answer (milliseconds), and the
# Redis where they count sends across processes and read the fault switch
# (the test process flips it while a worker runs). Empty: this process only.
FAKE_PROVIDER_LATENCY_MS = env.int("FAKE_PROVIDER_LATENCY_MS", default=0)
FAKE_PROVIDER_REDIS_URL = env(
    "FAKE_PROVIDER_REDIS_URL", default=env("REDIS_URL", default="")
)
# 0: the fakes hand each receipt to the pipeline before they answer (tests
# and development see it at once). Above 0: receipts follow a moment later,
# in batches, from one thread per process, as a provider's webhook calls
# would (the benchmark: the threads calling providers then hold no
# database connection).
FAKE_PROVIDER_RECEIPT_BATCH_MS = env.float("FAKE_PROVIDER_RECEIPT_BATCH_MS", default=0)
# The fakes' outbox keeps the most recent messages of this process only, so
# a long development run or a benchmark does not hold every message sent.
FAKE_PROVIDER_OUTBOX_SIZE = env.int("FAKE_PROVIDER_OUTBOX_SIZE", default=1000)

# Receipt webhooks. The public base URL, when set, is given to the gateways
# that take a receipt URL with each message (Brevo ``webUrl``, Sinch
# ``callback_url``); it may carry Basic credentials
# (https://user:secret@notifications.example/).
RECEIPT_WEBHOOK_BASE_URL = env("RECEIPT_WEBHOOK_BASE_URL", default="")
RECEIPT_WEBHOOK_MAX_BYTES = env.int("RECEIPT_WEBHOOK_MAX_BYTES", default=256 * 1024)

# Time-outs for every call to a provider: connecting (safe to retry) and
# waiting for the answer (ambiguous: the provider may have the message).
SMS_PROVIDER_CONNECT_TIMEOUT_SECONDS = env.float(
    "SMS_PROVIDER_CONNECT_TIMEOUT_SECONDS", default=3.05
)
SMS_PROVIDER_TIMEOUT_SECONDS = env.float("SMS_PROVIDER_TIMEOUT_SECONDS", default=10)

# Email goes through django-anymail. ``AnymailEmailProvider`` uses
# EMAIL_BACKEND (for example "anymail.backends.brevo.EmailBackend"); the
# per-ESP adapters (providers.email.BrevoEmailProvider, …) pin their own.
# The default keeps messages in memory (development): with DEBUG off, a
# system check, the admin form and the registry refuse it, and any other
# backend that delivers nothing (console, file, dummy, anymail's test).
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
        "region_name": env("AMAZON_SES_REGION", default="eu-west-3"),
        # botocore retries by itself, read time-outs included: a resend we
        # would not know about. The pipeline retries instead.
        "config": {
            "connect_timeout": SMS_PROVIDER_CONNECT_TIMEOUT_SECONDS,
            "read_timeout": SMS_PROVIDER_TIMEOUT_SECONDS,
            "retries": {"total_max_attempts": 1},
        },
    },
    "AMAZON_SES_CONFIGURATION_SET_NAME": env(
        "AMAZON_SES_CONFIGURATION_SET_NAME", default=None
    ),
    "REQUESTS_TIMEOUT": (
        SMS_PROVIDER_CONNECT_TIMEOUT_SECONDS,
        SMS_PROVIDER_TIMEOUT_SECONDS,
    ),
    # HTTP Basic "user:password" the ESPs put in the tracking webhook URL;
    # several (comma separated) while rotating.
    "WEBHOOK_SECRET": env.list("ANYMAIL_WEBHOOK_SECRET", default=[]),
}
# Amazon SES events arrive through SNS: only these topics are accepted
# (empty: any), and SNS signatures are verified.
AMAZON_SES_SNS_TOPIC_ARNS = env.list("AMAZON_SES_SNS_TOPIC_ARNS", default=[])
AMAZON_SES_VERIFY_SNS_SIGNATURES = env.bool(
    "AMAZON_SES_VERIFY_SNS_SIGNATURES", default=True
)

# SMS gateways: one dict each. RECEIPT_SECRETS (comma separated, for
# rotation) authenticate the gateway's receipt webhooks.
BREVO_SMS = {
    "API_KEY": env("BREVO_SMS_API_KEY", default=env("BREVO_API_KEY", default="")),
    "API_URL": env("BREVO_SMS_API_URL", default="https://api.brevo.com/v3/"),
    "DEFAULT_SENDER": env("BREVO_SMS_SENDER", default=""),
    "TAG": env("BREVO_SMS_TAG", default=""),
    "RECEIPT_SECRETS": env.list("BREVO_SMS_RECEIPT_SECRETS", default=[]),
}
OCTOPUSH = {
    "API_LOGIN": env("OCTOPUSH_API_LOGIN", default=""),
    "API_KEY": env("OCTOPUSH_API_KEY", default=""),
    "API_URL": env("OCTOPUSH_API_URL", default="https://api.octopush.com/v1/public/"),
    "DEFAULT_SENDER": env("OCTOPUSH_SENDER", default=""),
    # sms_premium (delivery reports, custom sender) or sms_low_cost.
    "SMS_TYPE": env("OCTOPUSH_SMS_TYPE", default="sms_premium"),
    "SIMULATION": env.bool("OCTOPUSH_SIMULATION", default=False),
    "RECEIPT_SECRETS": env.list("OCTOPUSH_RECEIPT_SECRETS", default=[]),
}
SINCH_SMS = {
    "SERVICE_PLAN_ID": env("SINCH_SERVICE_PLAN_ID", default=""),
    "API_TOKEN": env("SINCH_API_TOKEN", default=""),
    # The EU region: messages and their data stay in the EU.
    "API_URL": env("SINCH_API_URL", default="https://eu.sms.api.sinch.com/xms/v1/"),
    "DEFAULT_SENDER": env("SINCH_SENDER", default=""),
    "DELIVERY_REPORT": env("SINCH_DELIVERY_REPORT", default="per_recipient_final"),
    "RECEIPT_SECRETS": env.list("SINCH_RECEIPT_SECRETS", default=[]),
}
