"""API key secrets: the key string format, encryption at rest and lookup
hashes.

The key string is ``{key name}-{service id}-{secret}``, as GOV.UK Notify
prints it, so Notify's clients can split it from the end; the secret is a
random UUID4 string.
"""

import base64
import hashlib
import uuid
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SECRET_LENGTH = 36
SERVICE_ID_LENGTH = 36


@dataclass(frozen=True)
class KeyParts:
    name: str
    service_id: uuid.UUID
    secret: str


def new_secret() -> str:
    return str(uuid.uuid4())


def key_string(*, name: str, service_id: uuid.UUID, secret: str) -> str:
    return f"{name}-{service_id}-{secret}"


def split_key_string(value: str) -> KeyParts | None:
    """Split a key string from its end, as Notify's clients do; ``None``
    when it is not one."""
    value = value.strip()
    if len(value) < SECRET_LENGTH + SERVICE_ID_LENGTH + 1:
        return None
    secret = value[-SECRET_LENGTH:]
    service_part = value[
        -(SECRET_LENGTH + 1 + SERVICE_ID_LENGTH) : -(SECRET_LENGTH + 1)
    ]
    name = value[: -(SECRET_LENGTH + SERVICE_ID_LENGTH + 2)]
    try:
        service_id = uuid.UUID(service_part)
        uuid.UUID(secret)
    except ValueError:
        return None
    return KeyParts(name=name, service_id=service_id, secret=secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("API_KEY_ENCRYPTION_KEYS is empty")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _keys() -> tuple[str, ...]:
    keys = tuple(settings.API_KEY_ENCRYPTION_KEYS)
    if keys:
        return keys
    if not settings.DEBUG:
        raise ImproperlyConfigured("API_KEY_ENCRYPTION_KEYS must be set")
    # Development only: derive a key from SECRET_KEY so `make run` needs no
    # configuration.
    digest = hashlib.sha256(settings.SECRET_KEY.encode()).digest()
    return (base64.urlsafe_b64encode(digest).decode(),)


def encrypt_secret(secret: str) -> str:
    return _fernet(_keys()).encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    try:
        return _fernet(_keys()).decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "An API key secret cannot be decrypted with API_KEY_ENCRYPTION_KEYS"
        ) from error


def reencrypt_secret(token: str) -> str:
    """Encrypt again with the first key (rotation)."""
    return _fernet(_keys()).rotate(token.encode()).decode()


def generate_encryption_key() -> str:
    return Fernet.generate_key().decode()
