"""Public API v2 settings: caches, limits, idempotency and the OpenAPI
document."""

import environ

env = environ.Env()

# Requests under these paths skip the back office's middleware (sessions,
# CSRF, users, messages, CSP): see config.middleware. ``/service/`` is the
# one route of Notify's admin API a client library calls (the back office
# is under ``/services/``).
API_PATH_PREFIXES = ("/v2/", "/_health", "/service/")

# Keys, services, templates and senders are held this many seconds in each
# process before being read again from Redis: the longest a change made by
# another process (a revoked key, an archived template) can go unseen.
API_CACHE_LOCAL_TTL_SECONDS = env.float("API_CACHE_LOCAL_TTL_SECONDS", default=5.0)
API_CACHE_REDIS_TTL_SECONDS = env.int("API_CACHE_REDIS_TTL_SECONDS", default=600)

# The largest request body the API reads (3 MiB): room for what Notify's
# limits allow, a 2 MB file in base64 (about 2.8 MB) or a 2,000,000-byte
# email's personalisation. Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
# stays in force for the back office's forms.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=3 * 1024 * 1024)

# Limits (GOV.UK Notify's defaults). Turned off, or when Redis is unreachable,
# sending goes on unlimited and a warning is logged.
API_RATE_LIMIT_ENABLED = env.bool("API_RATE_LIMIT_ENABLED", default=True)
API_DAILY_LIMIT_ENABLED = env.bool("API_DAILY_LIMIT_ENABLED", default=True)
API_LIMITS_TIME_ZONE = "Europe/Paris"
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=250)

# Idempotency-Key records are kept this long, then pruned.
API_IDEMPOTENCY_TTL_HOURS = 24
# A request holding a key longer than this is considered dead (its process
# crashed) and a retry may take the key over.
API_IDEMPOTENCY_LOCK_SECONDS = env.int("API_IDEMPOTENCY_LOCK_SECONDS", default=60)

# The sender of SMS for a service that has none of its own.
DEFAULT_SMS_SENDER = env("DEFAULT_SMS_SENDER", default="Notif")
# The price of one SMS fragment, reported as ``cost_in_pounds`` (Notify's
# field name) by GET /v2/notifications.
API_SMS_FRAGMENT_RATE = env.float("API_SMS_FRAGMENT_RATE", default=0.0)

SPECTACULAR_SETTINGS = {
    "TITLE": "Notifications API",
    "DESCRIPTION": (
        "Send emails and text messages to the public. The API speaks GOV.UK "
        "Notify's v2 protocol: Notify's client libraries work unchanged when "
        "given this service's base URL and one of its API keys.\n\n"
        "**Authentication.** Every request carries `Authorization: Bearer "
        "<JWT>`, a token signed with HS256 by the key's secret with the claims "
        "`iss` (the service id) and `iat` (the time, within 30 seconds of "
        "ours), exactly as Notify's clients make it; or `Authorization: "
        "ApiKey-v1 <key>` with the whole key, for tools that cannot sign.\n\n"
        '**Errors** all share one envelope: `{"status_code": 400, '
        '"errors": [{"error": "BadRequestError", "message": '
        '"…"}]}`.\n\n'
        "**Idempotency.** The two sending endpoints accept an optional "
        "`Idempotency-Key` header: the same key with the same body within 24 "
        "hours answers the first response again (header `Idempotent-Replayed: "
        "true`) without sending twice."
    ),
    "VERSION": "v2",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": False,
    "POSTPROCESSING_HOOKS": ["notifications.api.openapi.postprocess"],
    "PREPROCESSING_HOOKS": ["notifications.api.openapi.only_public_api"],
    "SERVERS": [],
    "TAGS": [
        {"name": "notifications", "description": "Send and read notifications"},
        {"name": "templates", "description": "Read and preview templates"},
        {"name": "received-text-messages", "description": "Text messages received"},
    ],
}
