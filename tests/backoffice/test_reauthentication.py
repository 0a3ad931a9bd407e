"""Adding or removing a second factor and new backup codes need a recent
re-authentication: a second factor just passed, or the password confirmed
a few minutes ago at most."""

import json
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken

from services.accounts import REAUTHENTICATED_AT
from services.models import AuditAction, AuditEvent

from .conftest import PASSWORD, add_totp, confirm_password, totp_code, verified_client

pytestmark = pytest.mark.django_db

CONFIRM = reverse("services:reauthenticate")
ASKED = "confirmez votre mot de passe"


def _sensitive_pages(device) -> list[str]:
    return [
        reverse("services:totp-add"),
        reverse("services:security-key-add"),
        reverse("services:factor-remove", args=["totp", device.id]),
        reverse("services:backup-codes-regenerate"),
    ]


def test_every_factor_change_first_asks_for_the_password(manager):
    first = add_totp(manager)
    add_totp(manager)
    client = verified_client(manager)

    for url in _sensitive_pages(first):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, (method, url)
            assert response["Location"] == f"{CONFIRM}?next={url}", (method, url)

    assert manager.totpdevice_set.filter(confirmed=True).count() == 2
    assert not StaticToken.objects.filter(device__user=manager).exists()
    page = client.get(CONFIRM + "?next=/compte/").content.decode()
    assert ASKED in page


def test_a_confirmed_password_opens_them_and_sends_back_where_asked(manager):
    first = add_totp(manager)
    add_totp(manager)
    client = verified_client(manager)
    url = reverse("services:factor-remove", args=["totp", first.id])

    response = client.post(CONFIRM + f"?next={url}", {"password": PASSWORD})
    assert response["Location"] == url
    for page in _sensitive_pages(first):
        assert client.get(page).status_code == 200, page
    client.post(url)

    assert not manager.totpdevice_set.filter(id=first.id).exists()


def test_the_confirmation_lasts_only_a_few_minutes(manager, settings):
    add_totp(manager)
    client = verified_client(manager)
    confirm_password(client)
    session = client.session
    session[REAUTHENTICATED_AT] = (
        int(time.time()) - settings.REAUTHENTICATION_MAX_AGE_SECONDS - 1
    )
    session.save()

    response = client.get(reverse("services:totp-add"))

    assert response["Location"].startswith(CONFIRM)


def test_a_second_factor_just_passed_counts_as_a_re_authentication(manager):
    device = add_totp(manager)
    client = Client()
    client.post(
        reverse("signin:sign-in"), {"email": manager.email, "password": PASSWORD}
    )
    client.post(reverse("signin:second-factor"), {"token": totp_code(device)})

    assert client.get(reverse("services:totp-add")).status_code == 200


def test_a_wrong_password_is_refused_in_french_at_the_field_and_audited(manager):
    add_totp(manager)
    client = verified_client(manager)

    response = client.post(CONFIRM, {"password": "pas le bon mot de passe"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Le mot de passe est incorrect." in html
    assert "fr-input-group--error" in html
    assert client.get(reverse("services:totp-add")).status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditAction.PASSWORD_CONFIRMATION_FAILED, actor=manager
    ).exists()


def test_password_guessing_at_the_confirmation_is_throttled_with_sign_in(
    manager, settings
):
    settings.SIGN_IN_MAX_FAILURES = 3
    add_totp(manager)
    client = verified_client(manager)
    for _ in range(3):
        client.post(CONFIRM, {"password": "pas le bon mot de passe"})

    response = client.post(CONFIRM, {"password": PASSWORD})

    assert "Trop de tentatives" in response.content.decode()
    assert client.get(reverse("services:totp-add")).status_code == 302
    sign_in = Client().post(
        reverse("signin:sign-in"), {"email": manager.email, "password": PASSWORD}
    )
    assert "Trop de tentatives" in sign_in.content.decode()


def test_password_guessing_at_the_password_change_is_throttled(manager, settings):
    settings.SIGN_IN_MAX_FAILURES = 3
    client = verified_client(manager)
    new = "une toute nouvelle phrase de passe"
    data = {"new_password": new, "new_password_again": new}
    for _ in range(3):
        wrong = client.post(
            reverse("services:password-change"),
            {**data, "current_password": "pas le bon mot de passe"},
        )
        assert "Le mot de passe actuel est incorrect." in wrong.content.decode()

    response = client.post(
        reverse("services:password-change"), {**data, "current_password": PASSWORD}
    )

    assert "Trop de tentatives" in response.content.decode()
    manager.refresh_from_db()
    assert manager.check_password(PASSWORD)


def test_confirmation_never_sends_to_another_site(manager):
    client = verified_client(manager)

    response = client.post(
        CONFIRM + "?next=https://evil.example/", {"password": PASSWORD}
    )

    assert response["Location"] == reverse("services:account")


def test_a_second_security_key_needs_a_recent_re_authentication(manager):
    add_totp(manager)
    client = verified_client(manager)
    begin = reverse("otp_webauthn:credential-registration-begin")

    refused = client.post(begin, content_type="application/json")
    confirm_password(client)
    allowed = client.post(begin, content_type="application/json")

    assert refused.status_code == 403
    assert json.loads(refused.content)["code"] == "reauthentication_required"
    assert allowed.status_code == 200


def test_the_first_security_key_needs_no_re_authentication(manager):
    client = Client()
    client.post(
        reverse("signin:sign-in"), {"email": manager.email, "password": PASSWORD}
    )

    response = client.post(
        reverse("otp_webauthn:credential-registration-begin"),
        content_type="application/json",
    )

    assert response.status_code == 200


def test_the_first_factor_page_adds_no_factor_once_there_is_one(manager):
    add_totp(manager)
    client = verified_client(manager)

    response = client.get(reverse("signin:factor-setup"))

    assert response["Location"] == reverse("services:totp-add")
    assert client.get(response["Location"])["Location"].startswith(CONFIRM)
