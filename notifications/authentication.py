"""API authentication: ``Bearer`` JWTs exactly as GOV.UK Notify's clients
make them, and ``ApiKey-v1 <key>`` for tools that cannot sign one.

Checks run in Notify's order, each with Notify's message, because clients
and their users rely on which error wins.
"""

import datetime as dt
import logging
import time
import uuid

import jwt
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication

from config.api import AuthError
from services import secrets
from services import selectors as service_selectors
from services.models import ApiKey

logger = logging.getLogger(__name__)

GENERAL_AUTH_ERROR = (
    "Invalid token: make sure your API token matches the example at "
    "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header"
)
CLOCK_BOUND_SECONDS = 30
# A revoked key still answers "revoked" (rather than "not found") for a
# week, as Notify does.
REVOKED_GRACE = dt.timedelta(days=7)


class ApiKeyAuthentication(BaseAuthentication):
    """Sets ``request.auth`` to the caller's ``ApiKey`` (service loaded)."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            raise AuthError(
                "Unauthorized: authentication token must be provided", http_status=401
            )
        if header[:10].lower() == "apikey-v1 ":
            return (None, _authenticate_key_string(header[10:].strip()))
        if header[:7].title() != "Bearer ":
            raise AuthError(
                "Unauthorized: authentication bearer scheme must be used",
                http_status=401,
            )
        return (None, _authenticate_jwt(header[7:]))

    def authenticate_header(self, request) -> str:
        return "Bearer"


def _usable_keys(service_id: uuid.UUID) -> list[ApiKey]:
    cutoff = timezone.now() - REVOKED_GRACE
    return [
        key
        for key in service_selectors.api_keys_for_service(service_id=service_id)
        if key.revoked_at is None or key.revoked_at > cutoff
    ]


def _check_service(service) -> None:
    if service is None:
        raise AuthError("Invalid token: service not found")


def _authenticate_jwt(token: str) -> ApiKey:
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise AuthError(GENERAL_AUTH_ERROR) from error
    if "iss" not in claims:
        raise AuthError("Invalid token: iss field not provided")
    try:
        service_id = uuid.UUID(str(claims["iss"]))
    except ValueError as error:
        raise AuthError(
            "Invalid token: service id is not the right data type"
        ) from error

    service = service_selectors.service_get(service_id=service_id)
    _check_service(service)
    keys = _usable_keys(service_id)
    if not keys:
        raise AuthError("Invalid token: service has no API keys")
    if not service.active:
        raise AuthError("Invalid token: service is archived")

    for key in keys:
        if _signature_matches(token, key):
            _check_claims(token)
            if key.revoked_at is not None:
                raise AuthError("Invalid token: API key revoked")
            key.service = service
            return key
    raise AuthError("Invalid token: API key not found")


def _signature_matches(token: str, key: ApiKey) -> bool:
    secret = secrets.decrypt_secret(key.secret_encrypted)
    try:
        jwt.decode(
            token,
            key=secret,
            algorithms=["HS256"],
            options={"verify_iat": False, "verify_exp": False, "require": ["iat"]},
        )
    except (jwt.InvalidSignatureError, jwt.MissingRequiredClaimError):
        return False
    except jwt.InvalidAlgorithmError as error:
        raise AuthError("Invalid token: algorithm used is not HS256") from error
    except jwt.PyJWTError as error:
        raise AuthError(GENERAL_AUTH_ERROR) from error
    return True


def _check_claims(token: str) -> None:
    claims = jwt.decode(token, options={"verify_signature": False})
    iat = claims.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise AuthError(
            "Error: Your system clock must be accurate to within 30 seconds"
        )
    if abs(time.time() - iat) > CLOCK_BOUND_SECONDS:
        raise AuthError(
            "Error: Your system clock must be accurate to within 30 seconds"
        )


def _authenticate_key_string(value: str) -> ApiKey:
    parts = secrets.split_key_string(value)
    if parts is None:
        raise AuthError(GENERAL_AUTH_ERROR)

    key = service_selectors.api_key_by_secret_hash(
        secret_hash=secrets.hash_secret(parts.secret)
    )
    if key is None or key.service_id != parts.service_id:
        raise AuthError("Invalid token: API key not found")
    if not key.service.active:
        raise AuthError("Invalid token: service is archived")
    if key.revoked_at is not None:
        raise AuthError("Invalid token: API key revoked")
    return key
