"""Sign-in, second factors, password changes and resets (the actions of
the back office's accounts).

The password step and the second factor are separate: ``auth.login``
happens after the password (Django gives the session a new id), the second
factor then marks the session verified (``django_otp.login``), and nothing
but the factor pages is reachable in between.
"""

import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from . import platform, throttling
from .audit import audit_record, client_ip
from .middleware import session_start
from .models import AuditAction, User

logger = logging.getLogger(__name__)

BACKUP_CODE_COUNT = 10
BACKUP_CODE_LENGTH = 10
BACKUP_DEVICE_NAME = "Codes de secours"
# Backup codes are stored as a keyed hash: this salt, SECRET_KEY and
# HMAC-SHA256, cut to the 16 characters django-otp's StaticToken holds.
BACKUP_CODE_HASH_SALT = "services.accounts.backup_code"
# When the session last proved its user: a second factor passed, or the
# password typed again (see ``reauthentication_is_recent``).
REAUTHENTICATED_AT = "_reauthenticated_at"


class SignInThrottledError(Exception):
    """Too many failed attempts for this address or from this source."""


class LastFactorError(Exception):
    """The last TOTP application or security key cannot be removed."""


@dataclass(frozen=True)
class Factor:
    kind: str  # "totp", "webauthn" or "backup"
    id: int
    name: str
    created_at: object
    last_used_at: object

    @property
    def label(self) -> str:
        return {
            "totp": "Application d’authentification",
            "webauthn": "Clé de sécurité ou clé d’accès",
            "backup": "Codes de secours",
        }[self.kind]


def user_sign_in(*, request, email: str, password: str) -> User | None:
    """Check a password and open a session (not yet verified). Return
    ``None`` when the email or password is wrong; raise
    ``SignInThrottledError`` after too many failures."""
    ip = client_ip(request)
    if throttling.sign_in_is_throttled(email=email, ip=ip):
        audit_record(
            action=AuditAction.SIGN_IN_THROTTLED, request=request, actor_email=email
        )
        raise SignInThrottledError()

    user = auth.authenticate(request, username=email, password=password)
    if user is None:
        throttling.sign_in_failure_count(email=email, ip=ip)
        audit_record(
            action=AuditAction.SIGN_IN_FAILED, request=request, actor_email=email
        )
        return None

    throttling.sign_in_failures_clear(email=email)
    # auth.login cycles the session key: a session id planted before
    # sign-in is worthless after it.
    auth.login(request, user)
    session_start(request)
    return user


def user_has_factor(*, user: User) -> bool:
    """Whether the user has a TOTP application or a security key; backup
    codes alone do not count (they run out)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def user_factors(*, user: User) -> list[Factor]:
    factors = [
        Factor("totp", d.id, d.name, d.created_at, d.last_used_at)
        for d in TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id")
    ]
    factors += [
        Factor("webauthn", d.id, d.name, d.created_at, d.last_used_at)
        for d in WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by(
            "id"
        )
    ]
    return factors


def backup_codes_remaining(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_verify(*, request, token: str) -> bool:
    """Check a TOTP or backup code and mark the session verified."""
    user = request.user
    if throttling.second_factor_is_throttled(user_id=user.pk):
        audit_record(action=AuditAction.SIGN_IN_THROTTLED, request=request)
        raise SignInThrottledError()

    token = "".join(token.split())
    # A code's length says which kind it is, so a mistyped TOTP code never
    # counts against the backup codes' throttling, nor the reverse.
    if len(token) == BACKUP_CODE_LENGTH:
        device = _backup_code_match(user=user, code=token)
    else:
        device = _totp_match(user=user, token=token)
    if device is None:
        throttling.second_factor_failure_count(user_id=user.pk)
        audit_record(action=AuditAction.SECOND_FACTOR_FAILED, request=request)
        return False

    second_factor_accepted(request=request, device=device)
    return True


@transaction.atomic
def _totp_match(*, user: User, token: str) -> TOTPDevice | None:
    devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
    for device in devices:
        if device.verify_token(token):
            return device
    return None


@transaction.atomic
def _backup_code_match(*, user: User, code: str) -> StaticDevice | None:
    """Consume a backup code through django-otp (its throttling, single
    use), given the stored hash of what was typed."""
    candidates = backup_code_hashes(code)
    devices = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
    for device in devices:
        stored = device.token_set.filter(token__in=candidates).first()
        if device.verify_token(stored.token if stored else candidates[0]):
            return device
    return None


def backup_code_hash(code: str, *, secret: str | None = None) -> str:
    """The stored form of a backup code: never the code itself."""
    normalised = "".join(code.split()).lower()
    digest = salted_hmac(
        BACKUP_CODE_HASH_SALT, normalised, secret=secret, algorithm="sha256"
    )
    return digest.hexdigest()[:16]


def backup_code_hashes(code: str) -> list[str]:
    """The code's hash under SECRET_KEY and each fallback key, so that
    rotating the key does not void the codes users hold."""
    secrets_in_use = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return [backup_code_hash(code, secret=secret) for secret in secrets_in_use]


def second_factor_accepted(*, request, device) -> None:
    """The session passed its second factor with ``device``."""
    session_verify(request=request, device=device)
    throttling.second_factor_failures_clear(user_id=request.user.pk)
    audit_record(
        action=AuditAction.SIGN_IN,
        request=request,
        data={"factor": type(device).__name__},
    )


def session_verify(*, request, device) -> None:
    """Mark the session verified with ``device``, under a new session id:
    an id planted or seen before the second factor is worthless after it
    (session fixation). A second factor just passed is a fresh
    re-authentication too."""
    if not request.user.is_verified():
        otp_login(request, device)
    request.session.cycle_key()
    request.session[REAUTHENTICATED_AT] = int(time.time())


def reauthentication_is_recent(*, request) -> bool:
    """Whether the session passed its second factor or confirmed its
    password within the last few minutes: what adding or removing a factor
    and new backup codes require (ASVS 7.5)."""
    at = request.session.get(REAUTHENTICATED_AT)
    max_age = settings.REAUTHENTICATION_MAX_AGE_SECONDS
    return at is not None and time.time() - at <= max_age


def password_confirm(*, request, password: str) -> bool:
    """Check the signed-in user's password again; throttled with, and
    counted as, the sign-in failures of their address. Return whether it
    was right; raise ``SignInThrottledError`` after too many failures."""
    email = request.user.email
    ip = client_ip(request)
    if throttling.sign_in_is_throttled(email=email, ip=ip):
        audit_record(action=AuditAction.SIGN_IN_THROTTLED, request=request)
        raise SignInThrottledError()

    if not request.user.check_password(password):
        throttling.sign_in_failure_count(email=email, ip=ip)
        audit_record(action=AuditAction.PASSWORD_CONFIRMATION_FAILED, request=request)
        return False

    throttling.sign_in_failures_clear(email=email)
    request.session[REAUTHENTICATED_AT] = int(time.time())
    return True


def totp_device_start(*, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, to scan; created once and reused
    until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Application d’authentification", confirmed=False
        )
    return device


def totp_device_confirm(*, request, device: TOTPDevice, token: str) -> bool:
    """Confirm a TOTP device with a code it produced; the session becomes
    verified if it was not."""
    if throttling.second_factor_is_throttled(user_id=request.user.pk):
        raise SignInThrottledError()
    if not device.verify_token("".join(token.split())):
        throttling.second_factor_failure_count(user_id=request.user.pk)
        return False

    device.confirmed = True
    device.save(update_fields=["confirmed"])
    if not request.user.is_verified():
        session_verify(request=request, device=device)
    audit_record(
        action=AuditAction.FACTOR_ADDED,
        request=request,
        obj=device,
        data={"kind": "totp"},
    )
    return True


@transaction.atomic
def backup_codes_generate(*, request, user: User) -> list[str]:
    """Replace the user's backup codes with new ones, returned once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=backup_code_hash(code)) for code in codes
    )
    audit_record(action=AuditAction.BACKUP_CODES_GENERATED, request=request)
    return codes


def _backup_code() -> str:
    # Ten characters from a 32-letter alphabet without look-alikes: 50 bits.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(BACKUP_CODE_LENGTH))


@transaction.atomic
def factor_remove(*, request, user: User, kind: str, factor_id: int) -> None:
    """Remove a TOTP application or a security key; never the last one."""
    model = {"totp": TOTPDevice, "webauthn": WebAuthnCredential}[kind]
    device = model.objects.select_for_update().get(
        user=user, id=factor_id, confirmed=True
    )
    remaining = [
        factor
        for factor in user_factors(user=user)
        if (factor.kind, factor.id) != (kind, factor_id)
    ]
    if not remaining:
        raise LastFactorError()

    device.delete()
    audit_record(
        action=AuditAction.FACTOR_REMOVED,
        request=request,
        data={"kind": kind, "name": device.name},
    )


def webauthn_device_registered(*, request, device) -> None:
    audit_record(
        action=AuditAction.FACTOR_ADDED,
        request=request,
        obj=device,
        data={"kind": "webauthn"},
    )


def password_change(*, request, user: User, new_password: str) -> None:
    """Change a password: every other session of the user ends (their
    session hash no longer matches); this one is kept."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    auth.update_session_auth_hash(request, user)
    audit_record(action=AuditAction.PASSWORD_CHANGED, request=request)


def password_reset_request(*, request, email: str, base_url: str) -> None:
    """Email a reset link if an active account has this address. The
    caller says the same thing either way."""
    if throttling.reset_request_is_throttled(email=email, ip=client_ip(request)):
        audit_record(
            action=AuditAction.SIGN_IN_THROTTLED, request=request, actor_email=email
        )
        return
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = f"{base_url}/mot-de-passe/reinitialiser/{uid}/{token}/"
    try:
        platform.platform_email_send(
            kind="password_reset",
            email_address=user.email,
            personalisation={"lien": link},
        )
    except platform.PlatformEmailError:
        # The page says the same whether or not the address has an account,
        # so a refusal (logged with its reason by the sender) is not shown.
        logger.error(
            "Password reset email for user %s was not sent",
            user.pk,
            extra={"user_id": user.pk},
        )
        return
    audit_record(
        action=AuditAction.PASSWORD_RESET_REQUESTED, request=request, actor=user
    )


def password_reset_user(*, uidb64: str, token: str) -> User | None:
    """The user a reset link is for, if the link is still valid."""
    try:
        user_id = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def password_reset_complete(*, request, user: User, new_password: str) -> None:
    """Set the new password. Every session ends, and the user signs in
    again with their second factor: a reset never bypasses it."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    throttling.sign_in_failures_clear(email=user.email)
    audit_record(action=AuditAction.PASSWORD_RESET, request=request, actor=user)
