"""Writes for services, members, keys and senders."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import secrets
from .models import (
    ApiKey,
    GuestListEntry,
    KeyType,
    ReplyToAddress,
    Service,
    ServiceMember,
    SmsSender,
    User,
)

logger = logging.getLogger(__name__)


def service_create(
    *,
    name: str,
    organisation_name: str = "",
    restricted: bool = True,
    email_sender_name: str = "",
    created_by: User | None = None,
) -> Service:
    """Create a service; its creator becomes a member with every
    permission."""
    with transaction.atomic():
        service = Service.objects.create(
            name=name,
            organisation_name=organisation_name,
            restricted=restricted,
            email_sender_name=email_sender_name,
        )
        if created_by is not None:
            member_add(service=service, user=created_by, permissions=ALL_PERMISSIONS)

    logger.info("Service %s created", service.id, extra={"service_id": str(service.id)})
    return service


ALL_PERMISSIONS = (
    "view_activity",
    "send_messages",
    "manage_templates",
    "manage_service",
    "manage_api_keys",
)


def member_add(
    *, service: Service, user: User, permissions: tuple[str, ...] | list[str]
) -> ServiceMember:
    flags = {f"can_{name}": name in permissions for name in ALL_PERMISSIONS}
    member, _ = ServiceMember.objects.update_or_create(
        service=service, user=user, defaults=flags
    )
    return member


@dataclass(frozen=True)
class CreatedApiKey:
    api_key: ApiKey
    key_string: str


def api_key_create(
    *,
    service: Service,
    name: str,
    key_type: str = KeyType.NORMAL,
    created_by: User | None = None,
) -> CreatedApiKey:
    """Create a key; the returned key string is the only time the secret is
    seen in clear."""
    secret = secrets.new_secret()
    api_key = ApiKey.objects.create(
        service=service,
        name=name,
        key_type=key_type,
        secret_encrypted=secrets.encrypt_secret(secret),
        secret_hash=secrets.hash_secret(secret),
        created_by=created_by,
    )
    logger.info(
        "API key %s (%s) created for service %s",
        api_key.id,
        key_type,
        service.id,
        extra={"api_key_id": str(api_key.id), "service_id": str(service.id)},
    )
    key = secrets.key_string(name=name, service_id=service.id, secret=secret)
    return CreatedApiKey(api_key=api_key, key_string=key)


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        logger.info(
            "API key %s revoked",
            api_key.id,
            extra={
                "api_key_id": str(api_key.id),
                "service_id": str(api_key.service_id),
            },
        )
    return api_key


def api_key_secrets_rotate() -> int:
    """Encrypt every key's secret again with the first encryption key;
    return how many were rewritten."""
    count = 0
    for api_key in ApiKey.objects.only("id", "secret_encrypted").iterator():
        rotated = secrets.reencrypt_secret(api_key.secret_encrypted)
        ApiKey.objects.filter(id=api_key.id).update(secret_encrypted=rotated)
        count += 1
    return count


def reply_to_address_add(
    *, service: Service, email_address: str, is_default: bool = False
) -> ReplyToAddress:
    with transaction.atomic():
        has_default = service.reply_to_addresses.filter(
            is_default=True, archived=False
        ).exists()
        if is_default and has_default:
            service.reply_to_addresses.filter(is_default=True).update(is_default=False)
        return ReplyToAddress.objects.create(
            service=service,
            email_address=email_address,
            is_default=is_default or not has_default,
        )


def sms_sender_add(
    *, service: Service, sms_sender: str, is_default: bool = False
) -> SmsSender:
    with transaction.atomic():
        has_default = service.sms_senders.filter(
            is_default=True, archived=False
        ).exists()
        if is_default and has_default:
            service.sms_senders.filter(is_default=True).update(is_default=False)
        return SmsSender.objects.create(
            service=service,
            sms_sender=sms_sender,
            is_default=is_default or not has_default,
        )


class SenderRuleError(Exception):
    """A sender change that would leave the service without a default
    sender; the message is shown as is, in French."""


def _lock_service(service_id) -> None:
    # Changes to one service's senders wait for each other, so two of them
    # never both set a default (one default each is a constraint).
    Service.objects.select_for_update().filter(pk=service_id).first()


@transaction.atomic
def reply_to_address_make_default(*, reply_to: ReplyToAddress) -> ReplyToAddress:
    _lock_service(reply_to.service_id)
    others = ReplyToAddress.objects.filter(service_id=reply_to.service_id)
    others.exclude(pk=reply_to.pk).update(is_default=False)
    reply_to.is_default = True
    reply_to.save(update_fields=["is_default", "updated_at"])
    return reply_to


@transaction.atomic
def reply_to_address_archive(*, reply_to: ReplyToAddress) -> ReplyToAddress:
    """Remove an address; the default one only when it is the last (the
    service then receives no replies)."""
    _lock_service(reply_to.service_id)
    others = ReplyToAddress.objects.filter(
        service_id=reply_to.service_id, archived=False
    ).exclude(pk=reply_to.pk)
    reply_to.refresh_from_db(fields=["is_default"])
    if reply_to.is_default and others.exists():
        raise SenderRuleError(
            "Vous ne pouvez pas retirer l’adresse de réponse par défaut : "
            "choisissez d’abord une autre adresse par défaut."
        )
    reply_to.archived = True
    reply_to.is_default = False
    reply_to.save(update_fields=["archived", "is_default", "updated_at"])
    return reply_to


@transaction.atomic
def sms_sender_make_default(*, sender: SmsSender) -> SmsSender:
    _lock_service(sender.service_id)
    others = SmsSender.objects.filter(service_id=sender.service_id)
    others.exclude(pk=sender.pk).update(is_default=False)
    sender.is_default = True
    sender.save(update_fields=["is_default", "updated_at"])
    return sender


@transaction.atomic
def sms_sender_archive(*, sender: SmsSender) -> SmsSender:
    """Remove a sender other than the default one (so the last one always
    stays)."""
    _lock_service(sender.service_id)
    sender.refresh_from_db(fields=["is_default"])
    if sender.is_default:
        raise SenderRuleError(
            "Vous ne pouvez pas retirer l’expéditeur par défaut : choisissez "
            "d’abord un autre expéditeur par défaut, ou ajoutez-en un."
        )
    sender.archived = True
    sender.save(update_fields=["archived", "updated_at"])
    return sender


def guest_list_add(
    *, service: Service, channel: str, recipient: str, normalised_recipient: str
) -> GuestListEntry:
    entry, _ = GuestListEntry.objects.get_or_create(
        service=service,
        normalised_recipient=normalised_recipient,
        defaults={"channel": channel, "recipient": recipient},
    )
    return entry


@dataclass(frozen=True)
class CreatedOperator:
    user: User
    otpauth_uri: str


@transaction.atomic
def operator_create(
    *, email: str, password: str, full_name: str = ""
) -> CreatedOperator:
    """Create a platform operator with a confirmed TOTP device; the device's
    URI is returned once, to be scanned."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.create_superuser(
        email=email, password=password, full_name=full_name
    )
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)

    logger.info("Operator %s created", user.id, extra={"user_id": user.id})
    return CreatedOperator(user=user, otpauth_uri=device.config_url)
