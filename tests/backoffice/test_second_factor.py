"""The second factor: a new session id once it is passed, and backup codes
stored only as keyed hashes."""

import importlib
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from services import accounts

from .conftest import add_totp, totp_code

pytestmark = pytest.mark.django_db

SERVICE_LIST = "services:service-list"


def sign_in(client, user):
    from .conftest import PASSWORD

    return client.post(
        reverse("signin:sign-in"), {"email": user.email, "password": PASSWORD}
    )


def _planted(session_key: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def test_passing_the_totp_step_gives_the_session_a_new_id(manager):
    device = add_totp(manager)
    client = Client()
    sign_in(client, manager)
    before = client.session.session_key

    client.post(reverse("signin:second-factor"), {"token": totp_code(device)})

    assert client.session.session_key != before
    assert not SessionStore().exists(before)
    assert client.get(reverse(SERVICE_LIST)).status_code == 200
    assert _planted(before).get(reverse(SERVICE_LIST)).status_code == 302


def test_confirming_the_first_factor_gives_the_session_a_new_id(manager):
    client = Client()
    sign_in(client, manager)
    client.get(reverse("signin:factor-setup"))
    device = manager.totpdevice_set.get(confirmed=False)
    before = client.session.session_key

    client.post(reverse("signin:factor-setup"), {"token": totp_code(device)})

    assert client.session.session_key != before
    assert _planted(before).get(reverse(SERVICE_LIST)).status_code == 302


def _new_backup_codes(user) -> list[str]:
    client = Client()
    sign_in(client, user)
    client.get(reverse("signin:factor-setup"))
    device = user.totpdevice_set.get(confirmed=False)
    client.post(reverse("signin:factor-setup"), {"token": totp_code(device)})
    page = client.get(reverse("signin:backup-codes")).content.decode()
    return re.findall(r'<code class="bo-secret">([a-z0-9]{10})</code>', page)


def test_backup_codes_are_stored_as_keyed_hashes_only(manager):
    codes = _new_backup_codes(manager)

    stored = set(
        StaticToken.objects.filter(device__user=manager).values_list("token", flat=True)
    )

    assert len(codes) == len(stored) == 10
    assert not stored & set(codes)
    assert stored == {accounts.backup_code_hash(code) for code in codes}


def test_a_hashed_backup_code_signs_in_once_whatever_its_case(manager):
    code = _new_backup_codes(manager)[0]
    first, second = Client(), Client()

    sign_in(first, manager)
    first.post(reverse("signin:second-factor"), {"token": code.upper()})
    sign_in(second, manager)
    reused = second.post(reverse("signin:second-factor"), {"token": code})

    assert first.get(reverse(SERVICE_LIST)).status_code == 200
    assert "incorrect" in reused.content.decode()
    assert second.get(reverse(SERVICE_LIST)).status_code == 302


def test_backup_codes_survive_a_rotation_of_the_secret_key(manager, settings):
    code = _new_backup_codes(manager)[0]
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only"
    client = Client()
    sign_in(client, manager)

    client.post(reverse("signin:second-factor"), {"token": code})

    assert client.get(reverse(SERVICE_LIST)).status_code == 200


def test_mistyped_totp_codes_do_not_hold_back_a_backup_code(manager):
    # django-otp's own throttling delays a device after each failure: a
    # wrong TOTP code must not count against the backup codes.
    code = _new_backup_codes(manager)[0]
    client = Client()
    sign_in(client, manager)
    for _ in range(3):
        client.post(reverse("signin:second-factor"), {"token": "000000"})

    client.post(reverse("signin:second-factor"), {"token": code})

    assert client.get(reverse(SERVICE_LIST)).status_code == 200


def test_the_migration_hashes_codes_stored_in_clear(manager):
    add_totp(manager)
    device = StaticDevice.objects.create(user=manager, name="Codes", confirmed=True)
    StaticToken.objects.create(device=device, token="abcdefghjk")
    migration = importlib.import_module("services.migrations.0003_hash_backup_codes")

    migration.hash_clear_codes(apps, None)
    migration.hash_clear_codes(apps, None)

    token = StaticToken.objects.get(device=device)
    assert token.token == accounts.backup_code_hash("abcdefghjk")
    client = Client()
    sign_in(client, manager)
    client.post(reverse("signin:second-factor"), {"token": "abcdefghjk"})
    assert client.get(reverse(SERVICE_LIST)).status_code == 200
