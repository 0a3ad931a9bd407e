"""Back-office settings: sign-in, second factor, sessions, Content Security
Policy and the platform's own service (which emails users their password
reset and invitation links).

Imported at the end of ``base.py``; it extends the middleware and password
validators that ``base.py`` defines.
"""

import environ
from csp.constants import NONCE, NONE, SELF

from . import base as _base

env = environ.Env()

# Middleware: the CSP nonce must exist before any template renders; the
# session time-outs run once the user, their second factor and messages are
# known.
_after_messages = (
    _base.MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1
)
MIDDLEWARE = [
    *_base.MIDDLEWARE[:2],
    "csp.middleware.CSPMiddleware",
    *_base.MIDDLEWARE[2:_after_messages],
    "services.middleware.SessionTimeoutMiddleware",
    "services.middleware.SecurityHeadersMiddleware",
    *_base.MIDDLEWARE[_after_messages:],
]
# The public API skips all but the first and last (config.middleware): the
# security headers stay on every response.
BACKOFFICE_MIDDLEWARE = MIDDLEWARE[1:-1]
MIDDLEWARE = [MIDDLEWARE[0], "config.middleware.BackOfficeStack", MIDDLEWARE[-1]]
# The admin's checks and the CSRF one look for their middleware in
# MIDDLEWARE only; it is in BACKOFFICE_MIDDLEWARE, which
# tests/config/test_middleware.py checks instead.
SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410", "security.W003"]

LOGIN_URL = "signin:sign-in"
LOGIN_REDIRECT_URL = "services:service-list"

# Passwords (ANSSI/CNIL and ASVS): 12 characters at least, any characters,
# no composition rule, no forced renewal; common passwords and words of the
# context (product, State, the user's own email) refused.
AUTH_PASSWORD_VALIDATORS = [
    *_base.AUTH_PASSWORD_VALIDATORS,
    {"NAME": "services.passwords.ContextWordsValidator"},
    {"NAME": "services.passwords.MaximumLengthValidator"},
]
PASSWORD_CONTEXT_WORDS = env.list(
    "PASSWORD_CONTEXT_WORDS",
    default=[
        "notifications",
        "notification",
        "notify",
        "marianne",
        "republique",
        "francaise",
        "gouvernement",
        "gouv",
        "ministere",
        "administration",
        "betagouv",
        "dinum",
    ],
)
# A reset link is valid for one hour and once (the token changes with the
# password).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)

# Throttling of sign-in and second-factor attempts (counters in the cache,
# that is Redis). Failures are counted per email address typed, whether an
# account exists or not, so a lock-out reveals nothing.
SIGN_IN_MAX_FAILURES = env.int("SIGN_IN_MAX_FAILURES", default=5)
SIGN_IN_MAX_FAILURES_PER_IP = env.int("SIGN_IN_MAX_FAILURES_PER_IP", default=50)
SIGN_IN_LOCKOUT_SECONDS = env.int("SIGN_IN_LOCKOUT_SECONDS", default=15 * 60)
SECOND_FACTOR_MAX_FAILURES = env.int("SECOND_FACTOR_MAX_FAILURES", default=5)
# Trust X-Forwarded-For for the audit trail's source address only behind a
# proxy that sets it.
AUDIT_TRUST_X_FORWARDED_FOR = env.bool("AUDIT_TRUST_X_FORWARDED_FOR", default=False)

# Sessions (ASVS V7): server-side, 30 minutes idle and 12 hours at most;
# a new id at sign-in (Django) and every session ended when the password
# changes (Django's session hash).
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env.int(
    "SESSION_ABSOLUTE_TIMEOUT_SECONDS", default=12 * 3600
)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "services.views.errors.csrf_failure"

# Adding or removing a second factor and new backup codes need a second
# factor passed, or the password confirmed, this recently (ASVS 7.5).
REAUTHENTICATION_MAX_AGE_SECONDS = env.int(
    "REAUTHENTICATION_MAX_AGE_SECONDS", default=5 * 60
)

# Invitations expire after two days, as GOV.UK Notify's do.
INVITATION_VALIDITY_HOURS = env.int("INVITATION_VALIDITY_HOURS", default=48)

# Platform operators may be required to have signed in with a security key
# or passkey (phishing-resistant) to reach the admin.
OPERATORS_REQUIRE_SECURITY_KEY = env.bool(
    "OPERATORS_REQUIRE_SECURITY_KEY", default=False
)

# The admin never shows TOTP keys or backup codes (django-otp's admins).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Passkeys are a second factor only: the password step always comes first,
# so throttling and the audit trail see every sign-in.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# The platform's own service: password reset and invitation emails go
# through the same pipeline as every other notification.
PLATFORM_SERVICE_ID = env(
    "PLATFORM_SERVICE_ID", default="5e1c0a4e-6b0f-4f8a-9a51-0c0f1a7e0001"
)
PLATFORM_SERVICE_NAME = env("PLATFORM_SERVICE_NAME", default="Notifications")
# The platform service is created live, for email only, with this daily
# limit: far above what password resets and invitations need, low enough to
# stop a flood. Operators may change it later in the admin.
PLATFORM_EMAIL_DAILY_LIMIT = env.int("PLATFORM_EMAIL_DAILY_LIMIT", default=50_000)
# Who publishes and hosts the platform, and how to reach its team: shown
# on the public pages (legal notice, accessibility statement, personal
# data). Set them in production.
PLATFORM_PUBLISHER = env(
    "PLATFORM_PUBLISHER", default="L’équipe de la plateforme Notifications"
)
PLATFORM_HOST_PROVIDER = env("PLATFORM_HOST_PROVIDER", default="")
PLATFORM_CONTACT_EMAIL = env("PLATFORM_CONTACT_EMAIL", default="")
# The absolute URL of the back office for links in emails; empty means the
# host the request came to.
BACKOFFICE_BASE_URL = env("BACKOFFICE_BASE_URL", default="")

# Content Security Policy: no inline script or style anywhere in the back
# office; scripts need this request's nonce or come from our own origin.
CONTENT_SECURITY_POLICY = {
    # The operators' admin ships inline scripts and styles of its own.
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        # Only the email preview may be framed; it sets its own headers.
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The back office's menus need the current service and the user's services.
TEMPLATES = _base.TEMPLATES
_processors = TEMPLATES[0]["OPTIONS"]["context_processors"]
if "services.context_processors.backoffice" not in _processors:
    _processors.append("services.context_processors.backoffice")

# Who sends the platform's emails (notifications owns the pipeline).
PLATFORM_EMAIL_SENDER = "notifications.platform.platform_email_send"
# Who checks the mobile numbers users give on their account page
# (notifications owns the recipient rules).
MOBILE_NUMBER_NORMALISER = "notifications.language.mobile_number_for_user"
# Who counts a service's sends of the day for its settings page.
SERVICE_DAILY_USAGE_READER = "notifications.backoffice_selectors.daily_usage"

# DSFR now marks optional fields rather than required ones.
DSFR_MARK_OPTIONAL_FIELDS = True
