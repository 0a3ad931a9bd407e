"""Provider selection: the database configuration seeded from settings,
priorities, cool-down after repeated failures, failover at each attempt."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from providers import registry
from providers.fake import FakeSmsProvider
from providers.models import ProviderSetting

pytestmark = pytest.mark.django_db

FAKE_SMS = "providers.fake.FakeSmsProvider"
FAKE_SMS_2 = "providers.fake.FakeSmsProvider2"


@pytest.fixture
def two_sms_providers(settings):
    settings.NOTIFICATION_PROVIDERS = {
        "email": ["providers.fake.FakeEmailProvider"],
        "sms": [FAKE_SMS, FAKE_SMS_2],
    }
    settings.PROVIDER_FAILURE_THRESHOLD = 3
    settings.PROVIDER_FAILURE_WINDOW_SECONDS = 60
    settings.PROVIDER_COOLDOWN_SECONDS = 60


def test_empty_channel_is_seeded_from_settings_in_order(two_sms_providers):
    provider = registry.choose_provider("sms")

    assert provider.name == "fake-sms"
    rows = list(
        ProviderSetting.objects.filter(channel="sms").values_list("name", "priority")
    )
    assert rows == [("fake-sms", 10), ("fake-sms-2", 20)]


def test_seeding_leaves_a_configured_channel_alone(two_sms_providers):
    ProviderSetting.objects.create(
        name="fake-sms-2", channel="sms", path=FAKE_SMS_2, priority=1
    )

    assert registry.choose_provider("sms").name == "fake-sms-2"
    assert ProviderSetting.objects.filter(channel="sms").count() == 1


def test_admin_priority_and_active_flag_decide(two_sms_providers):
    registry.choose_provider("sms")  # seeds
    ProviderSetting.objects.filter(name="fake-sms").update(active=False)
    registry.invalidate_config_cache()

    assert [provider.name for provider in registry.get_providers("sms")] == [
        "fake-sms-2"
    ]


def test_saving_a_setting_is_seen_at_once_in_this_process(two_sms_providers):
    registry.choose_provider("sms")
    setting = ProviderSetting.objects.get(name="fake-sms-2")
    setting.priority = 1
    setting.save()

    assert registry.choose_provider("sms").name == "fake-sms-2"


def test_configuration_is_cached_between_attempts(
    two_sms_providers, django_assert_num_queries
):
    registry.choose_provider("sms")

    with django_assert_num_queries(0):
        for _ in range(5):
            registry.choose_provider("sms")


def test_repeated_failures_put_a_provider_in_cooldown(two_sms_providers):
    for _ in range(2):
        registry.record_failure("fake-sms")
    assert registry.choose_provider("sms").name == "fake-sms"

    registry.record_failure("fake-sms")

    assert registry.choose_provider("sms").name == "fake-sms-2"
    assert "fake-sms" in registry.cooling_down({"fake-sms", "fake-sms-2"})


def test_a_success_restarts_the_failure_count(two_sms_providers):
    registry.record_failure("fake-sms")
    registry.record_failure("fake-sms")
    registry.record_success("fake-sms")
    registry.record_failure("fake-sms")

    assert registry.choose_provider("sms").name == "fake-sms"


def test_a_burst_of_successes_resets_the_shared_count_once(
    two_sms_providers, monkeypatch
):
    deleted = []

    class Recording:
        def __getattr__(self, name):
            return getattr(registry_cache, name)

        def delete(self, key):
            deleted.append(key)
            return registry_cache.delete(key)

    registry_cache = registry.shared_cache
    monkeypatch.setattr(registry, "shared_cache", Recording())
    registry.reset()

    for _ in range(3):
        registry.record_success("fake-sms")
    registry.record_failure("fake-sms")
    registry.record_success("fake-sms")

    assert deleted == ["providers:failures:fake-sms"] * 2


def test_provider_is_tried_again_after_the_cooldown(two_sms_providers, settings):
    import time

    settings.PROVIDER_COOLDOWN_SECONDS = 1
    for _ in range(3):
        registry.record_failure("fake-sms")
    assert registry.choose_provider("sms").name == "fake-sms-2"

    time.sleep(1.2)

    assert registry.choose_provider("sms").name == "fake-sms"


def test_when_all_are_cooling_down_the_best_is_tried_anyway(two_sms_providers, caplog):
    for name in ("fake-sms", "fake-sms-2"):
        for _ in range(3):
            registry.record_failure(name)

    assert registry.choose_provider("sms").name == "fake-sms"
    assert "Every sms provider is in cool-down" in caplog.text


def test_excluded_providers_are_skipped_for_failover(two_sms_providers):
    assert registry.choose_provider("sms", exclude={"fake-sms"}).name == "fake-sms-2"


def test_excluding_everything_falls_back_to_the_best(two_sms_providers):
    chosen = registry.choose_provider("sms", exclude={"fake-sms", "fake-sms-2"})

    assert chosen.name == "fake-sms"


def test_get_provider_keeps_working_for_existing_callers(two_sms_providers):
    assert isinstance(registry.get_provider("sms"), FakeSmsProvider)


def test_fakes_are_refused_at_runtime_in_production(
    two_sms_providers, settings, caplog
):
    settings.DEBUG = False
    settings.ALLOW_FAKE_PROVIDERS = False

    with pytest.raises(ImproperlyConfigured):
        registry.choose_provider("sms")

    assert "Fake providers fake-sms, fake-sms-2 are configured but not allowed" in (
        caplog.text
    )


def test_real_provider_is_chosen_over_refused_fakes(two_sms_providers, settings):
    settings.ALLOW_FAKE_PROVIDERS = False
    ProviderSetting.objects.create(
        name="sinch-sms",
        channel="sms",
        path="providers.sms.SinchSmsProvider",
        priority=50,
    )

    assert registry.choose_provider("sms").name == "sinch-sms"


def test_settings_are_used_when_the_table_is_missing(two_sms_providers, monkeypatch):
    from django.db import ProgrammingError

    from providers import selectors

    def missing_table(**kwargs):
        raise ProgrammingError('relation "providers_providersetting" does not exist')

    monkeypatch.setattr(selectors, "provider_settings_for_channel", missing_table)

    assert [p.name for p in registry.get_providers("sms")] == ["fake-sms", "fake-sms-2"]


def test_describe_adapter_gives_name_and_channel():
    assert registry.describe_adapter("providers.sms.BrevoSmsProvider") == (
        "brevo-sms",
        "sms",
    )
    assert registry.describe_adapter(
        "providers.email.AnymailEmailProvider",
        {"backend": "anymail.backends.amazon_ses.EmailBackend"},
    ) == ("amazon-ses-email", "email")


@pytest.mark.parametrize(
    ("path", "options"),
    [
        ("os.system", {}),
        ("providers.sms.BrevoSmsProvider", {"colour": "blue"}),
    ],
)
def test_describe_adapter_refuses_unknown_paths_and_options(path, options):
    with pytest.raises(registry.AdapterError):
        registry.describe_adapter(path, options)


def test_receipt_adapter_finds_inactive_providers(two_sms_providers):
    assert registry.receipt_adapter("octopush-sms").name == "octopush-sms"
    assert registry.receipt_adapter("nobody") is None


def test_email_backends_that_deliver_nothing_are_refused_at_runtime(settings, caplog):
    settings.DEBUG = False
    settings.ALLOW_FAKE_PROVIDERS = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    registry.reset()
    ProviderSetting.objects.create(
        name="locmem-email",
        channel="email",
        path="providers.email.AnymailEmailProvider",
        priority=10,
    )
    ProviderSetting.objects.create(
        name="brevo-email",
        channel="email",
        path="providers.email.BrevoEmailProvider",
        priority=20,
    )

    assert registry.choose_provider("email").name == "brevo-email"
    assert "sends through django.core.mail.backends.locmem.EmailBackend" in (
        caplog.text
    )
