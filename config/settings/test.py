"""Test settings: the real PostgreSQL and Redis on their standard local
ports unless ``DATABASE_URL`` / ``REDIS_URL`` say otherwise."""

import os

os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/notifications"
)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
API_KEY_ENCRYPTION_KEYS = [
    "bm90LWEtcmVhbC1rZXktdGVzdHMtb25seS0wMDAwMDA=",
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOW_FAKE_PROVIDERS = True
# Tests call tasks directly; end-to-end tests run a real worker that reads
# its own environment.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
