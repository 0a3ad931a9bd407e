"""System checks for the services app's configuration."""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_api_key_encryption_keys(app_configs, **kwargs) -> list:
    errors = []
    keys = settings.API_KEY_ENCRYPTION_KEYS
    if not keys and not settings.DEBUG:
        errors.append(
            checks.Error(
                "API_KEY_ENCRYPTION_KEYS is empty.",
                hint="Generate one with: python -c 'from cryptography.fernet "
                "import Fernet; print(Fernet.generate_key().decode())'",
                id="services.E001",
            )
        )
    for position, key in enumerate(keys):
        try:
            Fernet(key.encode())
        except ValueError:
            errors.append(
                checks.Error(
                    f"API_KEY_ENCRYPTION_KEYS[{position}] is not a valid Fernet key "
                    "(32 url-safe base64-encoded bytes).",
                    id="services.E002",
                )
            )
    return errors
