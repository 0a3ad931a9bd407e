"""The operators' admin shows nothing without a verified second factor."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from services.models import User

pytestmark = pytest.mark.django_db


def admin_pages() -> list[str]:
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        pages.append(reverse("admin:app_list", args=[opts.app_label]))
    return sorted(set(pages))


@pytest.fixture
def operator():
    return User.objects.create_superuser(
        email="operateur@example.gouv.fr", password="une phrase de passe solide"
    )


def test_admin_site_is_the_otp_admin_site():
    from django_otp.admin import OTPAdminSite

    assert isinstance(admin.site, OTPAdminSite)


def test_admin_refuses_every_page_to_a_staff_user_without_verified_device(
    client, operator
):
    TOTPDevice.objects.create(user=operator, name="default", confirmed=True)
    client.force_login(operator)

    responses = {page: client.get(page) for page in admin_pages()}

    assert len(responses) > 10
    for page, response in responses.items():
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("admin:login")), page


def test_admin_login_refuses_password_without_otp_token(client, operator):
    TOTPDevice.objects.create(user=operator, name="default", confirmed=True)

    response = client.post(
        reverse("admin:login"),
        {"username": operator.email, "password": "une phrase de passe solide"},
    )

    assert response.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def test_admin_login_with_totp_token_reaches_every_page(client, operator):
    device = TOTPDevice.objects.create(user=operator, name="default", confirmed=True)
    token = f"{totp(device.bin_key):06d}"

    response = client.post(
        reverse("admin:login"),
        {
            "username": operator.email,
            "password": "une phrase de passe solide",
            "otp_device": device.persistent_id,
            "otp_token": token,
        },
    )

    assert response.status_code == 302
    for page in admin_pages():
        assert client.get(page).status_code == 200, page


def test_admin_never_shows_api_key_secrets(client, operator):
    from tests import factories

    device = TOTPDevice.objects.create(user=operator, name="default", confirmed=True)
    client.post(
        reverse("admin:login"),
        {
            "username": operator.email,
            "password": "une phrase de passe solide",
            "otp_device": device.persistent_id,
            "otp_token": f"{totp(device.bin_key):06d}",
        },
    )
    key = factories.api_key(service=factories.service())
    change_page = reverse("admin:services_apikey_change", args=[key.api_key.id])

    pages = [
        client.get(reverse("admin:services_apikey_changelist")),
        client.get(change_page),
    ]

    for response in pages:
        content = response.content.decode()
        assert response.status_code == 200
        assert key.secret not in content
        assert key.api_key.secret_encrypted not in content
        assert key.api_key.secret_hash not in content
