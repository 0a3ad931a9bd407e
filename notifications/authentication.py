"""API authentication: ``Bearer`` JWTs exactly as GOV.UK Notify's clients
make them, and ``ApiKey-v1 <key>`` for tools that cannot sign one.

Checks run in Notify's order, each with Notify's message, because clients
and their users rely on which error wins. Keys and services come from the
API cache: verifying a token costs no database query.
"""

import base64
import hashlib
import hmac
import json
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass

import jwt
import redis
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication

from config.api import AuthError
from services import secrets
from services.models import ApiKey

from . import cache, redis_client

logger = logging.getLogger(__name__)

GENERAL_AUTH_ERROR = (
    "Invalid token: make sure your API token matches the example at "
    "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header"
)
CLOCK_ERROR = "Error: Your system clock must be accurate to within 30 seconds"
HEADER_REQUIRED = "Unauthorized: authentication token must be provided"
BEARER_REQUIRED = "Unauthorized: authentication bearer scheme must be used"
NOT_ALLOWED = "Unauthorized: not allowed to perform this action"
CLOCK_BOUND_SECONDS = 30
# A revoked key still answers "revoked" (rather than "not found") for a
# week, as Notify does.
REVOKED_GRACE_SECONDS = 7 * 24 * 3600
# ``last_used_at`` is written at most this often per key.
LAST_USED_EVERY_SECONDS = 60


@dataclass(frozen=True)
class ApiCaller:
    """Who is calling: ``request.auth`` on every API view."""

    service: cache.ServiceSnapshot
    key: cache.KeySnapshot

    @property
    def service_id(self) -> uuid.UUID:
        return uuid.UUID(self.service.id)

    @property
    def key_type(self) -> str:
        return self.key.key_type

    @property
    def key_id(self) -> uuid.UUID:
        return uuid.UUID(self.key.id)


class ApiKeyAuthentication(BaseAuthentication):
    """Sets ``request.auth`` to an ``ApiCaller``."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            raise AuthError(HEADER_REQUIRED, http_status=401)
        if header[:10].lower() == "apikey-v1 ":
            caller = _authenticate_key_string(header[10:].strip())
        elif header[:7].title() == "Bearer ":
            caller = _authenticate_jwt(header[7:])
        else:
            raise AuthError(BEARER_REQUIRED, http_status=401)
        _record_use(caller.key)
        return (None, caller)

    def authenticate_header(self, request) -> str:
        return "Bearer"


def refuse_admin_token(header: str) -> AuthError:
    """The error Notify's admin routes (``requires_admin_auth``) give a
    request: they accept only the token of Notify's own admin app, which we
    do not have, so every request is refused. Checks run in Notify's order:
    a missing header or another scheme (401), a token that is not a JWT or
    has no ``iss`` (403), then any issuer, a service's included (401)."""
    if not header:
        return AuthError(HEADER_REQUIRED, http_status=401)
    if header[:7].title() != "Bearer ":
        return AuthError(BEARER_REQUIRED, http_status=401)
    try:
        claims = _parse(header[7:])["payload"]
    except AuthError as error:
        return error
    if "iss" not in claims:
        return AuthError("Invalid token: iss field not provided")
    return AuthError(NOT_ALLOWED, http_status=401)


def _usable_keys(service: cache.ServiceSnapshot) -> list[cache.KeySnapshot]:
    cutoff = time.time() - REVOKED_GRACE_SECONDS
    return [
        key for key in service.keys if key.revoked_at is None or key.revoked_at > cutoff
    ]


_BASE64URL = re.compile(rb"[A-Za-z0-9_-]*")


def _parse(token: str) -> dict:
    """The token's header, claims and signature, decoded once."""
    parsed = _parse_plain(token)
    if parsed is not None:
        return parsed
    # Anything unusual is PyJWT's to accept or refuse, as it always was.
    try:
        parsed = jwt.decode_complete(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise AuthError(GENERAL_AUTH_ERROR) from error
    if not isinstance(parsed["payload"], dict):
        raise AuthError(GENERAL_AUTH_ERROR)
    return parsed


def _parse_plain(token: str) -> dict | None:
    """The form Notify's clients send (three unpadded segments, JSON
    objects, no ``crit`` nor ``b64`` header), decoded as PyJWT decodes it at
    a fraction of its cost; ``None`` for any other form."""
    parts = token.encode().split(b".")
    if len(parts) != 3:
        return None
    decoded = [_segment(part) for part in parts]
    if None in decoded:
        return None
    try:
        header, payload = json.loads(decoded[0]), json.loads(decoded[1])
    except (ValueError, RecursionError):
        return None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return None
    if (
        "crit" in header
        or "b64" in header
        or not isinstance(header.get("kid", ""), str)
    ):
        return None
    return {"header": header, "payload": payload, "signature": decoded[2]}


def _segment(segment: bytes) -> bytes | None:
    if len(segment) % 4 == 1 or not _BASE64URL.fullmatch(segment):
        return None
    decoded = base64.urlsafe_b64decode(segment + b"=" * (-len(segment) % 4))
    # Refuse non-canonical encodings (stray low bits), as PyJWT does.
    if base64.urlsafe_b64encode(decoded).rstrip(b"=") != segment:
        return None
    return decoded


def _issuer(claims: dict) -> cache.ServiceSnapshot:
    if "iss" not in claims:
        raise AuthError("Invalid token: iss field not provided")
    try:
        service_id = uuid.UUID(str(claims["iss"]))
    except ValueError as error:
        raise AuthError(
            "Invalid token: service id is not the right data type"
        ) from error

    service = cache.service_get(service_id)
    if service is None:
        raise AuthError("Invalid token: service not found")
    return service


def _authenticate_jwt(token: str) -> ApiCaller:
    parsed = _parse(token)
    claims = parsed["payload"]
    service = _issuer(claims)
    keys = _usable_keys(service)
    if not keys:
        raise AuthError("Invalid token: service has no API keys")
    if not service.active:
        raise AuthError("Invalid token: service is archived")
    if parsed["header"].get("alg") != "HS256":
        raise AuthError("Invalid token: algorithm used is not HS256")

    signing_input = token.rsplit(".", 1)[0].encode()
    for key in keys:
        if not _signed_with(signing_input, parsed["signature"], key):
            continue
        # A token without iat is refused as if no key had signed it.
        if claims.get("iat") is None:
            continue
        _check_registered_claims(claims)
        _check_issued_at(claims.get("iat"))
        if key.revoked_at is not None:
            raise AuthError("Invalid token: API key revoked")
        return ApiCaller(service=service, key=key)
    raise AuthError("Invalid token: API key not found")


def _signed_with(signing_input: bytes, signature: bytes, key) -> bool:
    secret = cache.key_secret(key).encode()
    expected = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return hmac.compare_digest(expected, signature)


def _check_registered_claims(claims: dict) -> None:
    """The claims PyJWT checks once the signature holds, in its order and
    with the errors Notify's clients get for them."""
    now = time.time()
    if "nbf" in claims and _int_claim(claims["nbf"]) > now:
        raise AuthError(GENERAL_AUTH_ERROR)
    if "exp" in claims and _int_claim(claims["exp"]) <= now:
        raise AuthError(CLOCK_ERROR)
    if claims.get("aud"):
        raise AuthError(GENERAL_AUTH_ERROR)
    for name in ("sub", "jti"):
        if name in claims and not isinstance(claims[name], str):
            raise AuthError(GENERAL_AUTH_ERROR)


def _int_claim(value) -> int:
    try:
        return int(value)
    except (ValueError, TypeError, OverflowError) as error:
        raise AuthError(GENERAL_AUTH_ERROR) from error


def _check_issued_at(iat) -> None:
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise AuthError(CLOCK_ERROR)
    now = int(time.time())
    if now > iat + CLOCK_BOUND_SECONDS or iat > now + CLOCK_BOUND_SECONDS:
        raise AuthError(CLOCK_ERROR)


def _authenticate_key_string(value: str) -> ApiCaller:
    parts = secrets.split_key_string(value)
    if parts is None:
        raise AuthError(GENERAL_AUTH_ERROR)

    service = cache.service_get(parts.service_id)
    if service is None:
        raise AuthError("Invalid token: service not found")
    wanted = secrets.hash_secret(parts.secret)
    key = next(
        (
            k
            for k in _usable_keys(service)
            if hmac.compare_digest(k.secret_hash, wanted)
        ),
        None,
    )
    if key is None:
        raise AuthError("Invalid token: API key not found")
    if not service.active:
        raise AuthError("Invalid token: service is archived")
    if key.revoked_at is not None:
        raise AuthError("Invalid token: API key revoked")
    return ApiCaller(service=service, key=key)


_last_used: dict[str, float] = {}
_last_used_lock = threading.Lock()


def _record_use(key: cache.KeySnapshot) -> None:
    """Write ``last_used_at`` at most once a minute per key, across
    processes (a Redis flag elects the writer)."""
    now = time.monotonic()
    with _last_used_lock:
        if now - _last_used.get(key.id, -LAST_USED_EVERY_SECONDS) < (
            LAST_USED_EVERY_SECONDS
        ):
            return
        _last_used[key.id] = now

    client = redis_client.get_client()
    if client is not None:
        try:
            flag = f"api-key-used:{key.id}"
            if not client.set(flag, 1, nx=True, ex=LAST_USED_EVERY_SECONDS):
                return
        except redis.RedisError:
            return
    ApiKey.objects.filter(id=key.id).update(last_used_at=timezone.now())


def forget_recorded_uses() -> None:
    """Forget when keys were last recorded (tests)."""
    with _last_used_lock:
        _last_used.clear()
