"""The operators' admin shows nothing without a verified second factor, and
has no sign-in of its own: operators sign in through the back office, with
its throttling, lock-out and audit trail."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from services.models import AuditAction, AuditEvent, User

pytestmark = pytest.mark.django_db

PASSWORD = "une phrase de passe solide"
ADMIN_SIGN_IN = "/connexion/?next=/admin/"


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
        email="operateur@example.gouv.fr", password=PASSWORD
    )


@pytest.fixture
def device(operator):
    return TOTPDevice.objects.create(user=operator, name="default", confirmed=True)


def _code(device) -> str:
    return f"{totp(device.bin_key):06d}"


def operator_sign_in(client, operator, device) -> None:
    """The way into the admin: from its URL to the back office's sign-in,
    password, then TOTP, then back to the admin."""
    response = client.get(client.get("/admin/")["Location"])
    assert response["Location"] == ADMIN_SIGN_IN
    client.post(ADMIN_SIGN_IN, {"email": operator.email, "password": PASSWORD})
    response = client.post(reverse("signin:second-factor"), {"token": _code(device)})
    assert response["Location"] == "/admin/"


def test_admin_site_is_the_otp_admin_site():
    from django_otp.admin import OTPAdminSite

    assert isinstance(admin.site, OTPAdminSite)


def test_admin_refuses_every_page_to_a_staff_user_without_verified_device(
    client, operator, device
):
    client.force_login(operator)

    responses = {page: client.get(page) for page in admin_pages()}

    assert len(responses) > 10
    for page, response in responses.items():
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("admin:login")), page


def test_admin_login_sends_to_the_back_office_sign_in_with_the_page_to_return_to(
    client,
):
    response = client.get(reverse("admin:login") + "?next=/admin/services/apikey/")

    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/admin/services/apikey/"


def test_admin_login_ignores_a_next_page_on_another_site(client):
    response = client.get(reverse("admin:login") + "?next=https://evil.example/")

    assert response["Location"] == ADMIN_SIGN_IN


def test_admin_login_form_accepts_no_credentials_at_all(client, operator, device):
    response = client.post(
        reverse("admin:login"),
        {
            "username": operator.email,
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": _code(device),
        },
    )

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302


def test_sign_in_through_the_back_office_reaches_every_admin_page(
    client, operator, device
):
    operator_sign_in(client, operator, device)

    for page in admin_pages():
        assert client.get(page).status_code == 200, page
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN, actor=operator)


def test_password_alone_opens_no_admin_page(client, operator, device):
    client.post(ADMIN_SIGN_IN, {"email": operator.email, "password": PASSWORD})

    assert client.get("/admin/").status_code == 302
    assert client.get(reverse("admin:login"))["Location"] == ADMIN_SIGN_IN


def test_password_guessing_on_the_way_to_the_admin_is_throttled_and_audited(
    client, operator, device, settings
):
    settings.SIGN_IN_MAX_FAILURES = 3
    sign_in_page = client.get(client.get("/admin/")["Location"])["Location"]
    for _ in range(3):
        response = client.post(
            sign_in_page, {"email": operator.email, "password": "pas le bon"}
        )
        assert "incorrect" in response.content.decode()

    response = client.post(
        sign_in_page, {"email": operator.email, "password": PASSWORD}
    )

    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    failures = AuditEvent.objects.filter(
        action=AuditAction.SIGN_IN_FAILED, actor_email=operator.email
    )
    assert failures.count() == 3
    assert AuditEvent.objects.filter(
        action=AuditAction.SIGN_IN_THROTTLED, actor_email=operator.email
    ).exists()


def test_totp_guessing_on_the_way_to_the_admin_is_throttled(
    client, operator, device, settings
):
    settings.SECOND_FACTOR_MAX_FAILURES = 3
    client.post(ADMIN_SIGN_IN, {"email": operator.email, "password": PASSWORD})
    for _ in range(3):
        client.post(reverse("signin:second-factor"), {"token": "000000"})

    response = client.post(reverse("signin:second-factor"), {"token": _code(device)})

    assert "Trop de tentatives" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.SECOND_FACTOR_FAILED, actor=operator
        ).count()
        == 3
    )


def test_a_verified_user_who_is_not_an_operator_is_told_so_without_a_loop(device):
    from tests.backoffice.conftest import verified_client
    from tests.factories import user

    client = verified_client(user())

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert "réservée aux opérateurs" in response.content.decode()


def test_operator_signed_in_with_a_code_is_asked_for_a_security_key(
    client, operator, device, settings
):
    settings.OPERATORS_REQUIRE_SECURITY_KEY = True
    operator_sign_in(client, operator, device)

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert "exige une clé de sécurité" in response.content.decode()


def test_admin_sign_out_is_the_back_office_one_and_is_audited(client, operator, device):
    operator_sign_in(client, operator, device)

    response = client.post(reverse("admin:logout"))

    assert response["Location"] == reverse("signin:sign-in")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_OUT, actor=operator)


def test_admin_password_change_is_the_back_office_one(client, operator, device):
    operator_sign_in(client, operator, device)

    response = client.get(reverse("admin:password_change"))

    assert response["Location"] == reverse("services:password-change")


def test_admin_never_shows_api_key_secrets(client, operator, device):
    from tests import factories

    operator_sign_in(client, operator, device)
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


def test_a_fresh_client_reaches_nothing(operator, device):
    assert Client().get("/admin/").status_code == 302
