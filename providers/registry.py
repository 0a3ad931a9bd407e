"""Which adapter sends a channel: the database configuration (the admin's
``ProviderSetting`` rows), skipping providers in cool-down.

The pipeline asks again at every attempt:

- ``choose_provider(channel, exclude=())`` returns the active provider with
  the smallest priority number that is neither excluded nor in cool-down;
  when all are in cool-down it returns the best one anyway (trying beats
  stalling), and when ``exclude`` leaves none it ignores ``exclude``;
- ``record_failure(name)`` after a ``ProviderTemporaryError`` (or a
  ``ProviderPermanentError`` with ``provider_fault``), ``record_success``
  after an accepted send: ``PROVIDER_FAILURE_THRESHOLD`` failures within
  ``PROVIDER_FAILURE_WINDOW_SECONDS``, with no success in between, put the
  provider in cool-down for ``PROVIDER_COOLDOWN_SECONDS``. Counters live
  in the cache (Redis), shared by every worker.

The configuration is read from the database at most every
``PROVIDER_CONFIG_CACHE_SECONDS`` per process. A channel without any row
is seeded from ``settings.NOTIFICATION_PROVIDERS``; after that, the admin
is authoritative. Without the table (before ``migrate``), settings are
used as they are.
"""

import json
import logging
import threading
import time
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.utils.module_loading import import_string

from .base import EmailProvider, SmsProvider

logger = logging.getLogger(__name__)

CHANNEL_BASES = {"email": EmailProvider, "sms": SmsProvider}

# The adapters operators may choose in the admin.
KNOWN_ADAPTERS = (
    "providers.email.BrevoEmailProvider",
    "providers.email.MailjetEmailProvider",
    "providers.email.AmazonSesEmailProvider",
    "providers.email.ScalewayEmailProvider",
    "providers.email.AnymailEmailProvider",
    "providers.sms.BrevoSmsProvider",
    "providers.sms.OctopushSmsProvider",
    "providers.sms.SinchSmsProvider",
    "providers.fake.FakeEmailProvider",
    "providers.fake.FakeEmailProvider2",
    "providers.fake.FakeSmsProvider",
    "providers.fake.FakeSmsProvider2",
)


class AdapterError(Exception):
    """A provider path or its options do not make a usable adapter."""


@dataclass(frozen=True)
class ProviderEntry:
    name: str
    channel: str
    path: str
    active: bool
    priority: int
    options_json: str = "{}"


# Adapters


@cache
def _instance(path: str, options_json: str = "{}"):
    return import_string(path)(**json.loads(options_json))


def _options_json(options: dict | None) -> str:
    return json.dumps(options or {}, sort_keys=True)


def options_from_json(options_json: str) -> dict:
    return json.loads(options_json)


def reset() -> None:
    """Forget built adapters and the cached configuration (tests)."""
    _instance.cache_clear()
    _last_reset.clear()
    invalidate_config_cache()


def describe_adapter(path: str, options: dict | None = None) -> tuple[str, str]:
    """(name, channel) of the adapter at ``path`` built with ``options``;
    raise ``AdapterError`` (in French: it is shown in the admin)."""
    if path not in adapter_paths():
        raise AdapterError("Cet adaptateur n’existe pas.")
    try:
        adapter = _instance(path, _options_json(options))
    except TypeError as error:
        raise AdapterError("Ces options ne conviennent pas à l’adaptateur.") from error
    except (ImportError, ImproperlyConfigured) as error:
        raise AdapterError(f"Adaptateur inutilisable : {error}") from error
    return adapter.name, _channel_of(adapter)


def _channel_of(adapter) -> str:
    for channel, base in CHANNEL_BASES.items():
        if isinstance(adapter, base):
            return channel
    raise AdapterError("Cette classe n’est pas un adaptateur de fournisseur.")


def adapter_paths() -> list[str]:
    """Every adapter path operators may choose: the known ones and any
    named in settings."""
    configured = [
        entry_path(item)
        for items in settings.NOTIFICATION_PROVIDERS.values()
        for item in items
    ]
    return list(dict.fromkeys([*KNOWN_ADAPTERS, *configured]))


def is_fake(path: str) -> bool:
    return path.startswith("providers.fake.")


def non_delivering_backend(path: str, options: dict | None = None) -> str | None:
    """The email backend the adapter at ``path`` would send through, when
    that backend keeps or prints messages instead of sending them (locmem,
    console, file, dummy, anymail's test backend); ``None`` otherwise.
    Refused like the fakes: ``AnymailEmailProvider`` falls back to
    ``EMAIL_BACKEND``, whose default is Django's in-memory backend."""
    return _non_delivering_backend(path, _options_json(options))


def _non_delivering_backend(path: str, options_json: str) -> str | None:
    try:
        adapter = _instance(path, options_json)
    except (TypeError, ImportError, ImproperlyConfigured):
        # Not buildable: reported by the checks and the admin form.
        return None
    if getattr(adapter, "delivers", True):
        return None
    return getattr(adapter, "backend", path)


def fakes_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "ALLOW_FAKE_PROVIDERS", False))


# Configuration

_config_lock = threading.Lock()
_config_cache: dict[str, tuple[float, list[ProviderEntry]]] = {}


def invalidate_config_cache() -> None:
    """Forget this process's copy of the configuration (called when a
    ``ProviderSetting`` changes; other processes see it within
    ``PROVIDER_CONFIG_CACHE_SECONDS``)."""
    with _config_lock:
        _config_cache.clear()


def provider_entries(channel: str) -> list[ProviderEntry]:
    """The channel's providers, active or not, in priority order."""
    now = time.monotonic()
    cached = _config_cache.get(channel)
    if cached and cached[0] > now:
        return cached[1]
    entries = _load_entries(channel)
    ttl = float(getattr(settings, "PROVIDER_CONFIG_CACHE_SECONDS", 10))
    with _config_lock:
        _config_cache[channel] = (now + ttl, entries)
    return entries


def _load_entries(channel: str) -> list[ProviderEntry]:
    from . import actions, selectors

    try:
        rows = selectors.provider_settings_for_channel(channel=channel)
        if not rows:
            rows = actions.provider_settings_seed(channel=channel)
    except DatabaseError:
        logger.warning(
            "Provider configuration table unavailable; using settings",
            extra={"channel": channel},
        )
        return _settings_entries(channel)
    return [
        ProviderEntry(
            name=row.name,
            channel=row.channel,
            path=row.path,
            active=row.active,
            priority=row.priority,
            options_json=_options_json(row.options),
        )
        for row in rows
    ]


def entry_path(item) -> str:
    return item["path"] if isinstance(item, dict) else item


def settings_entries(channel: str) -> list[ProviderEntry]:
    """The channel's providers as ``settings.NOTIFICATION_PROVIDERS``
    lists them (a dotted path, or ``{"path": …, "options": {…}}``)."""
    return _settings_entries(channel)


def _settings_entries(channel: str) -> list[ProviderEntry]:
    entries = []
    for position, item in enumerate(settings.NOTIFICATION_PROVIDERS.get(channel, [])):
        path = entry_path(item)
        options = item.get("options", {}) if isinstance(item, dict) else {}
        name = _instance(path, _options_json(options)).name
        entries.append(
            ProviderEntry(
                name=name,
                channel=channel,
                path=path,
                active=True,
                priority=(position + 1) * 10,
                options_json=_options_json(options),
            )
        )
    return entries


# Selection


def _usable_entries(channel: str) -> list[ProviderEntry]:
    entries = [entry for entry in provider_entries(channel) if entry.active]
    if not fakes_allowed():
        refused = [entry.name for entry in entries if is_fake(entry.path)]
        if refused:
            logger.error(
                "Fake providers %s are configured but not allowed; skipped",
                ", ".join(refused),
                extra={"channel": channel},
            )
        entries = [entry for entry in entries if not is_fake(entry.path)]
        entries = _without_non_delivering(entries, channel)
    if not entries:
        raise ImproperlyConfigured(f"No active provider for the {channel} channel")
    return entries


def _without_non_delivering(
    entries: list[ProviderEntry], channel: str
) -> list[ProviderEntry]:
    kept = []
    for entry in entries:
        backend = _non_delivering_backend(entry.path, entry.options_json)
        if backend is None:
            kept.append(entry)
            continue
        logger.error(
            "Provider %s sends through %s, which delivers nothing; skipped",
            entry.name,
            backend,
            extra={"channel": channel, "provider": entry.name},
        )
    return kept


def get_providers(channel: str) -> list[EmailProvider | SmsProvider]:
    """Every active adapter for the channel, in priority order."""
    return [
        _instance(entry.path, entry.options_json) for entry in _usable_entries(channel)
    ]


def choose_provider(
    channel: str, exclude: tuple[str, ...] | list[str] | set[str] = ()
) -> EmailProvider | SmsProvider:
    """The adapter to use for the next attempt (see the module docstring)."""
    entries = _usable_entries(channel)
    candidates = [entry for entry in entries if entry.name not in exclude] or entries
    cooling = cooling_down({entry.name for entry in candidates})
    ready = [entry for entry in candidates if entry.name not in cooling]
    chosen = (ready or candidates)[0]
    if not ready:
        logger.warning(
            "Every %s provider is in cool-down; trying %s anyway",
            channel,
            chosen.name,
            extra={"channel": channel, "provider": chosen.name},
        )
    return _instance(chosen.path, chosen.options_json)


def get_provider(channel: str) -> EmailProvider | SmsProvider:
    return choose_provider(channel)


def receipt_adapter(name: str) -> SmsProvider | None:
    """The SMS adapter called ``name``, active or not (receipts for a
    message keep coming after its provider is switched off)."""
    adapter = _adapter_named(name, tuple(adapter_paths()))
    if adapter is None:
        configured = tuple(entry.path for entry in provider_entries("sms"))
        adapter = _adapter_named(name, configured)
    return adapter


def _adapter_named(name: str, paths: tuple[str, ...]) -> SmsProvider | None:
    for path in paths:
        try:
            adapter = _instance(path)
        except (TypeError, ImportError, ImproperlyConfigured):
            continue
        if isinstance(adapter, SmsProvider) and adapter.name == name:
            return adapter
    return None


# Cool-down


def _failures_key(name: str) -> str:
    return f"providers:failures:{name}"


def _cooldown_key(name: str) -> str:
    return f"providers:cooldown:{name}"


# When this process last restarted each provider's failure count.
_last_reset: dict[str, float] = {}
# A burst of successes resets the shared count once per this many seconds
# per process, not once per send (each reset is a Redis write).
SUCCESS_RESET_SECONDS = 1.0


def record_failure(name: str) -> int:
    """Count a failure of provider ``name``; put it in cool-down when it
    reaches the threshold. Return the failures counted in the window."""
    # The next success must reach Redis, whatever the throttle says.
    _last_reset.pop(name, None)
    window = int(getattr(settings, "PROVIDER_FAILURE_WINDOW_SECONDS", 60))
    threshold = int(getattr(settings, "PROVIDER_FAILURE_THRESHOLD", 5))
    cooldown = int(getattr(settings, "PROVIDER_COOLDOWN_SECONDS", 60))
    key = _failures_key(name)
    try:
        shared_cache.add(key, 0, timeout=window)
        try:
            count = shared_cache.incr(key)
        except ValueError:  # the window ended between add and incr
            shared_cache.set(key, 1, timeout=window)
            count = 1
        if count >= threshold:
            shared_cache.set(_cooldown_key(name), time.time() + cooldown, cooldown)
            shared_cache.delete(key)
    except Exception:
        logger.exception("Could not count a failure of provider %s", name)
        return 0
    if count >= threshold:
        logger.warning(
            "Provider %s failed %s times within %s s: skipped for %s s",
            name,
            count,
            window,
            cooldown,
            extra={"provider": name},
        )
    return count


def record_success(name: str) -> None:
    """A send went through: the provider's failure count starts again.
    Skipped when this process did so within ``SUCCESS_RESET_SECONDS`` and
    counted no failure of it since (failures counted by other processes
    in that second may then add up to a cool-down a little early)."""
    now = time.monotonic()
    last = _last_reset.get(name)
    if last is not None and now - last < SUCCESS_RESET_SECONDS:
        return
    try:
        shared_cache.delete(_failures_key(name))
    except Exception:
        logger.exception("Could not reset the failures of provider %s", name)
        return
    _last_reset[name] = now


def cooling_down(names: set[str] | list[str]) -> dict[str, float]:
    """The providers among ``names`` in cool-down, with when it ends (a
    Unix time). A cache outage puts nobody in cool-down."""
    if not names:
        return {}
    keys = {_cooldown_key(name): name for name in names}
    try:
        found = shared_cache.get_many(list(keys))
    except Exception:
        logger.exception("Could not read provider cool-downs")
        return {}
    return {keys[key]: float(until) for key, until in found.items()}


def clear_cooldown(name: str) -> None:
    """End provider ``name``'s cool-down and failure count now."""
    shared_cache.delete_many([_cooldown_key(name), _failures_key(name)])
