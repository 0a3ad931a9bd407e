"""The second factor: a new session id once it is passed."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

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
