import uuid

import pytest

from services import actions, secrets
from services.models import ApiKey
from tests import factories


def test_key_string_round_trip_when_name_contains_hyphens():
    service_id = uuid.uuid4()
    secret = secrets.new_secret()
    key = secrets.key_string(name="my-test-key", service_id=service_id, secret=secret)

    parts = secrets.split_key_string(key)

    assert parts == secrets.KeyParts(
        name="my-test-key", service_id=service_id, secret=secret
    )
    # Notify's clients slice the same way, from the end.
    assert key[-73:-37] == str(service_id)
    assert key[-36:] == secret


@pytest.mark.parametrize(
    "value",
    ["", "short", "name-not-a-uuid-at-all-000000000000000-also-not-a-uuid-00000000"],
)
def test_split_key_string_returns_none_when_malformed(value):
    assert secrets.split_key_string(value) is None


@pytest.mark.django_db
def test_api_key_create_stores_secret_encrypted_and_hashed_never_in_clear():
    service = factories.service()

    created = actions.api_key_create(service=service, name="live")

    secret = secrets.split_key_string(created.key_string).secret
    row = ApiKey.objects.values().get(id=created.api_key.id)
    assert all(secret not in str(value) for value in row.values())
    assert row["secret_hash"] == secrets.hash_secret(secret)
    assert secrets.decrypt_secret(row["secret_encrypted"]) == secret


@pytest.mark.django_db
def test_api_key_secrets_rotate_reencrypts_with_the_first_key(settings):
    service = factories.service()
    created = actions.api_key_create(service=service, name="live")
    old_token = ApiKey.objects.get(id=created.api_key.id).secret_encrypted
    new_key = secrets.generate_encryption_key()
    settings.API_KEY_ENCRYPTION_KEYS = [new_key, *settings.API_KEY_ENCRYPTION_KEYS]

    rotated = actions.api_key_secrets_rotate()

    token = ApiKey.objects.get(id=created.api_key.id).secret_encrypted
    assert rotated == 1
    assert token != old_token
    settings.API_KEY_ENCRYPTION_KEYS = [new_key]
    assert secrets.decrypt_secret(token) == created.key_string[-36:]
