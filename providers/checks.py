"""System checks on the provider settings, run by ``manage.py check``,
``migrate`` and ``runserver`` (and ``check --deploy`` before a release).

They read settings only (``NOTIFICATION_PROVIDERS``); providers switched
on later in the admin are checked by the admin form and the registry.
"""

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from . import registry


def register() -> None:
    checks.register(check_fake_providers, "providers")
    checks.register(check_email_backends, "providers")
    checks.register(check_provider_credentials, "providers")
    checks.register(check_email_webhook_secret, "providers")


def _configured_paths() -> list[tuple[str, str]]:
    return [
        (channel, registry.entry_path(item))
        for channel, items in settings.NOTIFICATION_PROVIDERS.items()
        for item in items
    ]


def check_fake_providers(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse the fake providers when ``DEBUG`` is off, unless
    ``ALLOW_FAKE_PROVIDERS`` says this is a benchmark."""
    if registry.fakes_allowed():
        return []
    return [
        checks.Error(
            f"The fake provider {path} is configured for {channel} while DEBUG "
            "is off: nothing would reach the recipients.",
            hint="Set EMAIL_PROVIDERS / SMS_PROVIDERS to real providers "
            "(ALLOW_FAKE_PROVIDERS=true is for benchmarks only).",
            id="providers.E001",
        )
        for channel, path in _configured_paths()
        if registry.is_fake(path)
    ]


def check_email_backends(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse, when ``DEBUG`` is off, an email adapter whose backend keeps or
    prints messages (locmem, console, …) instead of sending them: the
    default ``EMAIL_BACKEND`` is Django's in-memory one, which
    ``AnymailEmailProvider`` falls back to. Same exception as the fakes."""
    if registry.fakes_allowed():
        return []
    messages = []
    for item in settings.NOTIFICATION_PROVIDERS.get("email", []):
        path = registry.entry_path(item)
        options = item.get("options", {}) if isinstance(item, dict) else {}
        backend = registry.non_delivering_backend(path, options)
        if backend is None:
            continue
        messages.append(
            checks.Error(
                f"The email provider {path} sends through {backend}, which "
                "delivers nothing: every email would be lost.",
                hint="Set EMAIL_BACKEND to an anymail ESP backend (for example "
                "anymail.backends.brevo.EmailBackend), or use an adapter that "
                "pins one (providers.email.BrevoEmailProvider, …).",
                id="providers.E005",
            )
        )
    return messages


def check_provider_credentials(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every configured SMS gateway has its credentials and a receipt
    secret (without one, all its receipts are refused)."""
    from .sms.base import HttpSmsProvider

    messages = []
    for _channel, path in _configured_paths():
        try:
            adapter_class = import_string(path)
        except ImportError as error:
            messages.append(
                checks.Error(
                    f"Provider {path} cannot be imported: {error}",
                    id="providers.E002",
                )
            )
            continue
        if not (
            isinstance(adapter_class, type)
            and issubclass(adapter_class, HttpSmsProvider)
        ):
            continue
        config = getattr(settings, adapter_class.settings_name, {}) or {}
        missing = [
            key for key in adapter_class.required_settings if not config.get(key)
        ]
        if not config.get("RECEIPT_SECRETS"):
            missing.append("RECEIPT_SECRETS")
        if missing:
            messages.append(
                checks.Error(
                    f"{adapter_class.settings_name} lacks {', '.join(missing)} "
                    f"for {adapter_class.name}.",
                    hint="See the provider settings in config/settings/providers.py.",
                    id="providers.E003",
                )
            )
    return messages


def check_email_webhook_secret(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Anymail's tracking webhooks are open to anyone without
    ``ANYMAIL["WEBHOOK_SECRET"]``: refuse that outside development."""
    if settings.DEBUG:
        return []
    real_email = [
        path
        for channel, path in _configured_paths()
        if channel == "email" and not registry.is_fake(path)
    ]
    if real_email and not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        return [
            checks.Error(
                "Email receipts would be accepted from anyone: "
                "ANYMAIL['WEBHOOK_SECRET'] is empty.",
                hint="Set ANYMAIL_WEBHOOK_SECRET to a long random user:password "
                "and give it to the ESP in the tracking webhook URL.",
                id="providers.E004",
            )
        ]
    return []
