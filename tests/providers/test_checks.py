"""System checks on the provider settings."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from providers import checks


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
