"""Settings shared by every environment, read from environment variables.

With no variable set, the project runs on the embedded default: a SQLite
file, tasks run in-process, fake providers. ``DATABASE_URL``, ``REDIS_URL``
and the provider settings switch it to production shape.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-secret-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The base URL the API puts in the links it returns (``uri``, ``links``);
# empty means "the host the request came to".
PUBLIC_API_BASE_URL = env("PUBLIC_API_BASE_URL", default="")
# The domain of the From address of every email (the local part comes from
# the service's sender name).
EMAIL_SENDER_DOMAIN = env("EMAIL_SENDER_DOMAIN", default="notifications.beta.gouv.fr")
# The Marianne symbol in State-branded emails must be an image on a public
# URL (mail clients block embedded ones); by default the static file under
# PUBLIC_API_BASE_URL.
EMAIL_LOGO_URL = env("EMAIL_LOGO_URL", default="")

INSTALLED_APPS = [
    "config.admin_site.OTPAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "widget_tweaks",
    "dsfr",
    "django.forms",
    "django_celery_beat",
    "anymail",
    "services",
    "templates_app",
    "providers",
    "notifications",
    "deliveries",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dsfr.context_processors.site_config",
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "services.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "django_otp_webauthn.backends.WebAuthnBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "admin:login"

# API keys: secrets are stored encrypted (HS256 JWTs are verified with them).
# Several keys may be listed, comma separated: the first encrypts, all decrypt,
# so a key can be rotated without downtime (``manage.py rotate_api_key_secrets``).
API_KEY_ENCRYPTION_KEYS = env.list("API_KEY_ENCRYPTION_KEYS", default=[])

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Notifications")
OTP_WEBAUTHN_RP_ID = env("OTP_WEBAUTHN_RP_ID", default="localhost")
OTP_WEBAUTHN_RP_NAME = env("OTP_WEBAUTHN_RP_NAME", default="Notifications")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "OTP_WEBAUTHN_ALLOWED_ORIGINS", default=["http://localhost:8000"]
)

DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ne-pas-repondre@localhost")

# Retention: how often Beat erases the personal data whose service's
# retention period has passed (notifications.actions.retention).
RETENTION_ERASE_INTERVAL_SECONDS = env.int(
    "RETENTION_ERASE_INTERVAL_SECONDS", default=3600
)
# The security audit trail: a year, as ANSSI advises for such logs.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)

from .api import *  # noqa: E402, F403
from .backoffice import *  # noqa: E402, F403
from .celery import *  # noqa: E402, F403
from .deliveries import *  # noqa: E402, F403
from .logging import *  # noqa: E402, F403
from .providers import *  # noqa: E402, F403
