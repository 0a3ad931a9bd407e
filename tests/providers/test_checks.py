"""System checks on the provider settings."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from providers import checks, registry


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOW_FAKE_PROVIDERS = False


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_fake_providers_refused_when_debug_is_off(production):
    assert ids(checks.check_fake_providers()) == ["providers.E001", "providers.E001"]


def test_manage_check_fails_with_fake_providers_in_production(production):
    with pytest.raises(SystemCheckError, match="providers.E001"):
        call_command("check")


def test_fake_providers_allowed_for_benchmarks(production, settings):
    settings.ALLOW_FAKE_PROVIDERS = True

    assert checks.check_fake_providers() == []


def test_fake_providers_allowed_in_development(settings):
    settings.DEBUG = True
    settings.ALLOW_FAKE_PROVIDERS = False

    assert checks.check_fake_providers() == []


def test_sms_gateway_without_credentials_is_refused(settings):
    settings.NOTIFICATION_PROVIDERS = {
        "email": [],
        "sms": ["providers.sms.OctopushSmsProvider"],
    }
    settings.OCTOPUSH = {"API_LOGIN": "ops@example.gouv.fr", "RECEIPT_SECRETS": []}

    [error] = checks.check_provider_credentials()

    assert error.id == "providers.E003"
    assert "API_KEY, RECEIPT_SECRETS" in error.msg


def test_configured_sms_gateway_passes(settings):
    settings.NOTIFICATION_PROVIDERS = {
        "email": [],
        "sms": ["providers.sms.SinchSmsProvider"],
    }

    assert checks.check_provider_credentials() == []


def test_unimportable_provider_is_reported(settings):
    settings.NOTIFICATION_PROVIDERS = {"email": [], "sms": ["providers.sms.Nothing"]}

    assert ids(checks.check_provider_credentials()) == ["providers.E002"]


def test_real_esp_needs_a_webhook_secret_in_production(production, settings):
    settings.NOTIFICATION_PROVIDERS = {
        "email": ["providers.email.BrevoEmailProvider"],
        "sms": [],
    }
    settings.ANYMAIL = {"BREVO_API_KEY": "x", "WEBHOOK_SECRET": []}

    assert ids(checks.check_email_webhook_secret()) == ["providers.E004"]

    settings.ANYMAIL = {"BREVO_API_KEY": "x", "WEBHOOK_SECRET": ["esp:long-secret"]}
    assert checks.check_email_webhook_secret() == []


NON_DELIVERING = [
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "anymail.backends.test.EmailBackend",
    "anymail.backends.console.EmailBackend",
]


@pytest.mark.parametrize("backend", NON_DELIVERING)
def test_email_backend_that_delivers_nothing_is_refused_in_production(
    production, settings, backend
):
    settings.EMAIL_BACKEND = backend
    registry.reset()
    settings.NOTIFICATION_PROVIDERS = {
        "email": [
            "providers.email.AnymailEmailProvider",
            {
                "path": "providers.email.AnymailEmailProvider",
                "options": {"backend": backend},
            },
        ],
        "sms": [],
    }

    errors = checks.check_email_backends()

    assert ids(errors) == ["providers.E005", "providers.E005"]
    assert backend in errors[0].msg


def test_the_default_email_backend_is_refused_by_manage_check(production, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATION_PROVIDERS = {
        "email": ["providers.email.AnymailEmailProvider"],
        "sms": [],
    }

    with pytest.raises(SystemCheckError, match="providers.E005"):
        call_command("check")


def test_email_backends_of_real_esps_pass(production, settings):
    settings.EMAIL_BACKEND = "anymail.backends.mailjet.EmailBackend"
    settings.NOTIFICATION_PROVIDERS = {
        "email": [
            "providers.email.AnymailEmailProvider",
            "providers.email.BrevoEmailProvider",
            {
                "path": "providers.email.AnymailEmailProvider",
                "options": {"backend": "django.core.mail.backends.smtp.EmailBackend"},
            },
        ],
        "sms": [],
    }

    assert checks.check_email_backends() == []


def test_email_backends_that_deliver_nothing_are_allowed_in_development(settings):
    settings.DEBUG = True
    settings.ALLOW_FAKE_PROVIDERS = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATION_PROVIDERS = {
        "email": ["providers.email.AnymailEmailProvider"],
        "sms": [],
    }

    assert checks.check_email_backends() == []
