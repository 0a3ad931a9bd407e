"""What the API reads on every request, cached: services (with their keys,
senders and team) and templates.

Two levels. Each process keeps a snapshot for ``API_CACHE_LOCAL_TTL_SECONDS``
(a few seconds); behind it, Redis keeps the snapshot as JSON, under a key
that carries the service's generation number. Any change to a service, its
keys, members, guest list, senders or templates bumps that number (see
``notifications.signals``), which orphans every Redis entry of the service
at once and drops this process's local copies; other processes see the
change when their local copy expires.

Decrypted key secrets live only in process memory, never in Redis.
"""

import dataclasses
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass

import redis
from django.conf import settings

from services import secrets
from services import selectors as service_selectors
from services.models import ApiKey, ReplyToAddress, Service, SmsSender
from templates_app.models import Template, TemplateVersion

from . import language, redis_client

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeySnapshot:
    id: str
    name: str
    key_type: str
    secret_encrypted: str
    secret_hash: str
    revoked_at: float | None  # epoch seconds


@dataclass(frozen=True)
class ServiceSnapshot:
    id: str
    name: str
    active: bool
    restricted: bool
    can_send_email: bool
    can_send_sms: bool
    can_send_international_sms: bool
    email_daily_limit: int
    sms_daily_limit: int
    international_sms_daily_limit: int
    rate_limit: int
    sender_name: str
    sms_prefix: bool
    keys: tuple[KeySnapshot, ...]
    reply_to_addresses: dict[str, str]
    default_reply_to: str
    sms_senders: dict[str, str]
    default_sms_sender: str
    team: frozenset[str]

    def can_send(self, channel: str) -> bool:
        return self.can_send_email if channel == "email" else self.can_send_sms

    def daily_limit(self, channel: str) -> int:
        return {
            "email": self.email_daily_limit,
            "sms": self.sms_daily_limit,
            "international_sms": self.international_sms_daily_limit,
        }[channel]


@dataclass(frozen=True)
class TemplateSnapshot:
    id: str
    service_id: str
    channel: str
    name: str
    subject: str
    body: str
    version: int
    version_id: str
    archived: bool


_MISSING = object()
_lock = threading.Lock()
_local: dict[tuple, tuple[float, object]] = {}
_secrets: dict[tuple[str, str], str] = {}


def service_get(service_id: uuid.UUID | str) -> ServiceSnapshot | None:
    service_id = str(service_id)
    return _get(
        ("service", service_id),
        service_id,
        "service",
        lambda: _load_service(service_id),
    )


def template_get(
    service_id: uuid.UUID | str, template_id: uuid.UUID | str
) -> TemplateSnapshot | None:
    """The latest version of a service's template (``None`` if it has no
    such template)."""
    service_id, template_id = str(service_id), str(template_id)
    return _get(
        ("template", service_id, template_id),
        service_id,
        f"template:{template_id}",
        lambda: _load_template(service_id, template_id),
    )


def key_secret(key: KeySnapshot) -> str:
    """The key's secret in clear, decrypted once per process."""
    cache_key = (key.id, key.secret_encrypted)
    secret = _secrets.get(cache_key)
    if secret is None:
        secret = secrets.decrypt_secret(key.secret_encrypted)
        _secrets[cache_key] = secret
    return secret


def invalidate_service(service_id: uuid.UUID | str) -> None:
    """Forget everything cached about a service, here and in Redis."""
    service_id = str(service_id)
    with _lock:
        for cache_key in [k for k in _local if k[1] == service_id]:
            del _local[cache_key]
    client = redis_client.get_client()
    if client is None:
        return
    try:
        client.incr(_generation_key(service_id))
    except redis.RedisError:
        logger.warning(
            "Could not invalidate the cache of service %s in Redis",
            service_id,
            extra={"service_id": service_id},
        )


def clear_local() -> None:
    with _lock:
        _local.clear()
        _secrets.clear()


# Internals ---------------------------------------------------------------


def _get(local_key: tuple, service_id: str, name: str, load):
    now = time.monotonic()
    entry = _local.get(local_key)
    if entry is not None and entry[0] > now:
        return entry[1]

    value = _from_redis(service_id, name, load)
    ttl = settings.API_CACHE_LOCAL_TTL_SECONDS
    with _lock:
        _local[local_key] = (now + ttl, value)
    return value


def _generation_key(service_id: str) -> str:
    return f"api-cache:generation:{service_id}"


def _from_redis(service_id: str, name: str, load):
    client = redis_client.get_client()
    if client is None or redis_client.cooling_down():
        return load()
    try:
        generation = int(client.get(_generation_key(service_id)) or 0)
        data_key = f"api-cache:{service_id}:{generation}:{name}"
        raw = client.get(data_key)
    except redis.RedisError:
        redis_client.report_failure()
        logger.warning(
            "Redis unreachable: reading service %s from the database",
            service_id,
            extra={"service_id": service_id},
        )
        return load()
    if raw is not None:
        return _decode(json.loads(raw))

    value = load()
    try:
        ttl = settings.API_CACHE_REDIS_TTL_SECONDS
        client.set(data_key, json.dumps(_encode(value)), ex=ttl)
    except redis.RedisError:
        pass
    return value


def _encode(value) -> dict | None:
    if value is None:
        return None
    data = dataclasses.asdict(value)
    data["__kind__"] = type(value).__name__
    if isinstance(value, ServiceSnapshot):
        data["team"] = sorted(value.team)
    return data


def _decode(data: dict | None):
    if data is None:
        return None
    kind = data.pop("__kind__")
    if kind == "TemplateSnapshot":
        return TemplateSnapshot(**data)
    data["keys"] = tuple(KeySnapshot(**key) for key in data["keys"])
    data["team"] = frozenset(data["team"])
    return ServiceSnapshot(**data)


def _load_service(service_id: str) -> ServiceSnapshot | None:
    service = Service.objects.filter(id=service_id).first()
    if service is None:
        return None
    keys = tuple(
        KeySnapshot(
            id=str(key.id),
            name=key.name,
            key_type=key.key_type,
            secret_encrypted=key.secret_encrypted,
            secret_hash=key.secret_hash,
            revoked_at=key.revoked_at.timestamp() if key.revoked_at else None,
        )
        for key in ApiKey.objects.filter(service=service).order_by("created_at")
    )
    reply_tos = list(ReplyToAddress.objects.filter(service=service, archived=False))
    senders = list(SmsSender.objects.filter(service=service, archived=False))
    return ServiceSnapshot(
        id=str(service.id),
        name=service.name,
        active=service.active,
        restricted=service.restricted,
        can_send_email=service.can_send_email,
        can_send_sms=service.can_send_sms,
        can_send_international_sms=service.can_send_international_sms,
        email_daily_limit=service.email_daily_limit,
        sms_daily_limit=service.sms_daily_limit,
        international_sms_daily_limit=service.international_sms_daily_limit,
        rate_limit=service.rate_limit,
        sender_name=service.sender_name,
        sms_prefix=service.sms_prefix,
        keys=keys,
        reply_to_addresses={str(r.id): r.email_address for r in reply_tos},
        default_reply_to=next((r.email_address for r in reply_tos if r.is_default), ""),
        sms_senders={str(s.id): s.sms_sender for s in senders},
        default_sms_sender=next((s.sms_sender for s in senders if s.is_default), ""),
        team=_team(service),
    )


def _team(service: Service) -> frozenset[str]:
    """The team's and guest list's recipients, normalised for matching."""
    normalised = set()
    for recipient in service_selectors.team_recipients(service=service):
        channel = "email" if "@" in recipient else "sms"
        normalised.add(language.normalise_for_matching(channel, recipient))
    return frozenset(normalised)


def _load_template(service_id: str, template_id: str) -> TemplateSnapshot | None:
    template = Template.objects.filter(id=template_id, service_id=service_id).first()
    if template is None:
        return None
    version = TemplateVersion.objects.filter(
        template=template, version=template.version
    ).first()
    if version is None:
        return None
    return TemplateSnapshot(
        id=str(template.id),
        service_id=str(template.service_id),
        channel=version.channel,
        name=version.name,
        subject=version.subject,
        body=version.body,
        version=version.version,
        version_id=str(version.id),
        archived=template.archived,
    )
