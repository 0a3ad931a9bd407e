"""The operators' admin for provider configuration: list, filters,
French errors at the field, the cool-down column and action."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from providers import registry
from providers.admin import ProviderSettingForm
from providers.models import ProviderSetting
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    user = factories.user(is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def form(**data):
    values = {"path": "providers.sms.SinchSmsProvider", "active": True, "priority": 10}
    values.update(data)
    values.setdefault("options", "{}")
    return ProviderSettingForm(data=values)


def test_form_derives_name_and_channel_from_the_adapter():
    setting = form().save()

    assert (setting.name, setting.channel) == ("sinch-sms", "sms")


def test_form_refuses_secret_like_options():
    bound = form(options='{"api_token": "abc"}')

    assert not bound.is_valid()
    assert "dans l’environnement" in bound.errors["options"][0]


def test_form_refuses_unknown_options():
    bound = form(options='{"colour": "blue"}')

    assert not bound.is_valid()
    assert bound.errors["path"] == ["Ces options ne conviennent pas à l’adaptateur."]


def test_form_refuses_a_provider_configured_twice():
    form().save()

    bound = form(priority=20)

    assert not bound.is_valid()
    assert bound.errors["path"] == ["Ce fournisseur est déjà configuré."]


def test_form_refuses_fakes_in_production(settings):
    settings.DEBUG = False
    settings.ALLOW_FAKE_PROVIDERS = False

    bound = form(path="providers.fake.FakeSmsProvider")

    assert not bound.is_valid()
    assert bound.errors["path"] == [
        "Les faux fournisseurs sont interdits en production."
    ]


def test_form_refuses_arbitrary_paths():
    bound = form(path="os.system")

    assert not bound.is_valid()
    assert "path" in bound.errors


def test_changelist_shows_providers_and_cooldown(operator_client, settings):
    settings.PROVIDER_FAILURE_THRESHOLD = 1
    form().save()
    registry.record_failure("sinch-sms")

    response = operator_client.get(
        "/admin/providers/providersetting/?channel__exact=sms"
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "sinch-sms" in content
    assert "jusqu’à" in content
    assert "sinch-test-token" not in content


def test_end_cooldown_action(operator_client, settings):
    settings.PROVIDER_FAILURE_THRESHOLD = 1
    setting = form().save()
    registry.record_failure("sinch-sms")

    response = operator_client.post(
        "/admin/providers/providersetting/",
        {"action": "end_cooldown", "_selected_action": [setting.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert registry.cooling_down({"sinch-sms"}) == {}


def test_add_page_shows_french_error_at_the_field(operator_client):
    response = operator_client.post(
        "/admin/providers/providersetting/add/",
        {
            "path": "providers.sms.SinchSmsProvider",
            "active": "on",
            "priority": "10",
            "options": '{"password": "x"}',
        },
    )

    assert response.status_code == 200
    assert "pas ici : password" in response.content.decode()
    assert ProviderSetting.objects.count() == 0


def test_admin_needs_a_verified_second_factor(client):
    user = factories.user(is_staff=True, is_superuser=True)
    client.force_login(user)

    response = client.get("/admin/providers/providersetting/")

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ('{"backend": "django.core.mail.backends.locmem.EmailBackend"}', "options"),
        ('{"backend": "anymail.backends.test.EmailBackend"}', "options"),
        # No backend given: EMAIL_BACKEND, whose default is in memory.
        ("{}", "path"),
    ],
)
def test_form_refuses_email_backends_that_deliver_nothing_in_production(
    settings, options, field
):
    settings.DEBUG = False
    settings.ALLOW_FAKE_PROVIDERS = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    registry.reset()

    bound = form(path="providers.email.AnymailEmailProvider", options=options)

    assert not bound.is_valid()
    assert "ne distribue aucun message" in bound.errors[field][0]


def test_form_accepts_a_real_esp_backend_in_production(settings):
    settings.DEBUG = False
    settings.ALLOW_FAKE_PROVIDERS = False

    bound = form(
        path="providers.email.AnymailEmailProvider",
        options='{"backend": "anymail.backends.brevo.EmailBackend"}',
    )

    assert bound.is_valid(), bound.errors
