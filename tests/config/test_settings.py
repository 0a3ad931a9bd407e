"""Production settings refuse to start without their secrets and pass
Django's deployment checks once they have them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 60 + "-production-like-secret-key-for-the-check",
    "ALLOWED_HOSTS": "notifications.example.gouv.fr",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/notifications",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
}
# Real providers with their credentials: the fake ones are refused when
# DEBUG is off (providers.E001).
PRODUCTION_PROVIDERS_ENV = {
    "EMAIL_PROVIDERS": "providers.email.BrevoEmailProvider",
    "BREVO_API_KEY": "xkeysib-production-like",
    "ANYMAIL_WEBHOOK_SECRET": "brevo:" + "w" * 40,
    "SMS_PROVIDERS": "providers.sms.SinchSmsProvider",
    "SINCH_SERVICE_PLAN_ID": "plan",
    "SINCH_API_TOKEN": "token",
    "SINCH_RECEIPT_SECRETS": "r" * 40,
}


def manage(*args, **env) -> subprocess.CompletedProcess:
    base = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}
    }
    base["DJANGO_SETTINGS_MODULE"] = "config.settings.prod"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("missing", [*PRODUCTION_ENV, "API_KEY_ENCRYPTION_KEYS"])
def test_production_settings_refuse_to_start_without_a_secret(missing):
    env = {**PRODUCTION_ENV, "API_KEY_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    del env[missing]

    result = manage("check", **env)

    assert result.returncode != 0
    assert missing in result.stderr


def test_production_settings_pass_the_deployment_checks():
    key = Fernet.generate_key().decode()

    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        API_KEY_ENCRYPTION_KEYS=key,
        **PRODUCTION_ENV,
        **PRODUCTION_PROVIDERS_ENV,
    )

    assert result.returncode == 0, result.stderr


def test_production_settings_refuse_the_fake_providers():
    key = Fernet.generate_key().decode()

    result = manage("check", API_KEY_ENCRYPTION_KEYS=key, **PRODUCTION_ENV)

    assert result.returncode != 0
    assert "providers.E001" in result.stderr


def test_production_settings_refuse_email_through_the_default_backend():
    key = Fernet.generate_key().decode()
    # AnymailEmailProvider without EMAIL_BACKEND would "send" into memory.
    providers = {
        **PRODUCTION_PROVIDERS_ENV,
        "EMAIL_PROVIDERS": "providers.email.AnymailEmailProvider",
    }

    result = manage("check", API_KEY_ENCRYPTION_KEYS=key, **PRODUCTION_ENV, **providers)

    assert result.returncode != 0
    assert "providers.E005" in result.stderr
    assert "django.core.mail.backends.locmem.EmailBackend" in result.stderr


def test_production_settings_refuse_a_malformed_encryption_key():
    result = manage(
        "check", "--deploy", API_KEY_ENCRYPTION_KEYS="not-a-key", **PRODUCTION_ENV
    )

    assert result.returncode != 0
    assert "services.E002" in result.stderr
