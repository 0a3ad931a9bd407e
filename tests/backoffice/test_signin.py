"""Sign-in, second factor, throttling, sessions, password reset and
invitations."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken

from providers import fake
from services.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from services.models import AuditAction, AuditEvent, Invitation, ServiceMember, User
from tests import factories

from .conftest import PASSWORD, add_totp, confirm_password, totp_code, verified_client

pytestmark = pytest.mark.django_db

GENERIC = "Adresse électronique ou mot de passe incorrect"
THROTTLED = "Trop de tentatives"


def sign_in(client, email, password=PASSWORD):
    return client.post(
        reverse("signin:sign-in"), {"email": email, "password": password}
    )


def test_sign_in_then_totp_verifies_the_session_and_rotates_its_id(manager):
    device = add_totp(manager)
    client = Client()
    client.get(reverse("signin:sign-in"))
    anonymous_key = client.session.session_key

    response = sign_in(client, manager.email)
    assert response["Location"] == reverse("signin:second-factor")
    assert client.session.session_key != anonymous_key
    assert client.get(reverse("services:service-list")).status_code == 302

    response = client.post(
        reverse("signin:second-factor"), {"token": totp_code(device)}
    )
    assert response.status_code == 302
    assert client.get(reverse("services:service-list")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN, actor=manager).exists()


def test_wrong_password_and_unknown_account_get_the_same_answer(manager):
    wrong = sign_in(Client(), manager.email, "not the password at all")
    unknown = sign_in(Client(), "personne@example.gouv.fr", "not the password at all")

    assert GENERIC in wrong.content.decode()
    assert GENERIC in unknown.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).count() == 2


def test_password_guessing_is_throttled_even_for_the_right_password(manager, settings):
    settings.SIGN_IN_MAX_FAILURES = 5
    client = Client()
    for _ in range(5):
        sign_in(client, manager.email, "wrong password guess")

    response = sign_in(client, manager.email)

    assert THROTTLED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttling_applies_to_unknown_addresses_too_so_it_reveals_nothing(settings):
    settings.SIGN_IN_MAX_FAILURES = 3
    client = Client()
    for _ in range(3):
        sign_in(client, "inconnu@example.gouv.fr", "wrong password guess")

    response = sign_in(client, "inconnu@example.gouv.fr", "wrong password guess")

    assert THROTTLED in response.content.decode()


def test_totp_guessing_is_throttled(manager, settings):
    settings.SECOND_FACTOR_MAX_FAILURES = 5
    device = add_totp(manager)
    client = Client()
    sign_in(client, manager.email)
    for _ in range(5):
        client.post(reverse("signin:second-factor"), {"token": "000000"})

    response = client.post(
        reverse("signin:second-factor"), {"token": totp_code(device)}
    )

    assert THROTTLED in response.content.decode()
    assert client.get(reverse("services:service-list")).status_code == 302
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.SECOND_FACTOR_FAILED, actor=manager
        ).count()
        == 5
    )


def test_guessing_from_one_address_across_accounts_is_throttled_per_ip(
    manager, settings
):
    settings.SIGN_IN_MAX_FAILURES_PER_IP = 3
    for number in range(3):
        sign_in(Client(), f"personne{number}@example.gouv.fr", "wrong password guess")

    same_ip = sign_in(Client(), manager.email)
    other_ip = Client(REMOTE_ADDR="192.0.2.10").post(
        reverse("signin:sign-in"), {"email": manager.email, "password": PASSWORD}
    )

    assert THROTTLED in same_ip.content.decode()
    assert other_ip["Location"] == reverse("signin:second-factor")


def _begin_passkey(client):
    return client.post(
        reverse("otp_webauthn:credential-authentication-begin"),
        content_type="application/json",
    )


def test_passkey_failures_are_throttled_with_totp_codes(manager, settings):
    settings.SECOND_FACTOR_MAX_FAILURES = 3
    device = add_totp(manager)
    client = Client()
    sign_in(client, manager.email)
    complete = reverse("otp_webauthn:credential-authentication-complete")
    for _ in range(3):
        assert _begin_passkey(client).status_code == 200
        failed = client.post(
            complete, {"id": "forged", "response": {}}, content_type="application/json"
        )
        assert failed.status_code >= 400

    begin = _begin_passkey(client)
    again = client.post(complete, {"id": "forged"}, content_type="application/json")
    code = client.post(reverse("signin:second-factor"), {"token": totp_code(device)})

    assert begin.status_code == again.status_code == 429
    assert "Trop de tentatives" in begin.json()["detail"]
    assert THROTTLED in code.content.decode()
    assert client.get(reverse("services:service-list")).status_code == 302
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.SECOND_FACTOR_FAILED, actor=manager
        ).count()
        == 3
    )


def test_user_without_factor_must_set_one_up_before_anything(manager):
    client = Client()
    response = sign_in(client, manager.email)
    response = client.get(response["Location"])

    assert response["Location"] == reverse("signin:factor-setup")
    page = client.get(reverse("signin:factor-setup")).content.decode()
    assert "<svg" in page and "QR code" in page


def test_totp_set_up_confirms_the_device_then_shows_backup_codes_once(manager):
    client = Client()
    sign_in(client, manager.email)
    client.get(reverse("signin:factor-setup"))
    device = manager.totpdevice_set.get(confirmed=False)

    wrong = client.post(reverse("signin:factor-setup"), {"token": "12345"})
    assert "Saisissez les 6 chiffres affichés." in wrong.content.decode()

    response = client.post(reverse("signin:factor-setup"), {"token": totp_code(device)})
    assert response["Location"] == reverse("signin:backup-codes")
    page = client.get(reverse("signin:backup-codes")).content.decode()
    codes = re.findall(r'<code class="bo-secret">([a-z0-9]{10})</code>', page)
    assert len(codes) == 10
    assert client.get(reverse("signin:backup-codes")).status_code == 302


def test_backup_code_works_once(manager):
    add_totp(manager)
    client = verified_client(manager)
    confirm_password(client)
    client.post(reverse("services:backup-codes-regenerate"))
    page = client.get(reverse("signin:backup-codes")).content.decode()
    code = re.findall(r'<code class="bo-secret">([a-z0-9]{10})</code>', page)[0]

    first, second = Client(), Client()
    sign_in(first, manager.email)
    first.post(reverse("signin:second-factor"), {"token": code})
    sign_in(second, manager.email)
    reused = second.post(reverse("signin:second-factor"), {"token": code})

    assert first.get(reverse("services:service-list")).status_code == 200
    assert "incorrect" in reused.content.decode()
    assert StaticToken.objects.filter(device__user=manager).count() == 9


def test_the_last_factor_cannot_be_removed(manager):
    device = add_totp(manager)
    client = verified_client(manager)
    confirm_password(client)
    url = reverse("services:factor-remove", args=["totp", device.id])

    response = client.post(url)

    assert "dernier second facteur" in response.content.decode()
    assert manager.totpdevice_set.filter(confirmed=True).count() == 1


def test_a_factor_can_be_removed_when_another_remains(manager):
    first = add_totp(manager)
    add_totp(manager)
    client = verified_client(manager)
    confirm_password(client)

    client.post(reverse("services:factor-remove", args=["totp", first.id]))

    assert manager.totpdevice_set.filter(confirmed=True).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.FACTOR_REMOVED).exists()


def test_password_change_signs_out_every_other_session(manager):
    here, elsewhere = verified_client(manager), verified_client(manager)

    response = here.post(
        reverse("services:password-change"),
        {
            "current_password": PASSWORD,
            "new_password": "une toute nouvelle phrase de passe",
            "new_password_again": "une toute nouvelle phrase de passe",
        },
    )

    assert response.status_code == 302
    assert here.get(reverse("services:account")).status_code == 200
    assert elsewhere.get(reverse("services:account")).status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("court123", "trop court"),
        ("motdepasse", "trop court"),
        ("password1234", "trop courant"),
        ("Notifications2024!", "ressemble trop"),
    ],
)
def test_weak_new_passwords_are_refused_in_french_at_the_field(
    manager, password, message
):
    client = verified_client(manager)

    response = client.post(
        reverse("services:password-change"),
        {
            "current_password": PASSWORD,
            "new_password": password,
            "new_password_again": password,
        },
    )

    assert message in response.content.decode()
    assert "fr-input-group--error" in response.content.decode()


def test_long_passphrases_of_any_characters_are_accepted(manager):
    client = verified_client(manager)
    passphrase = "Ô ciel 🌧 — une phrase de passe très longue " * 3

    client.post(
        reverse("services:password-change"),
        {
            "current_password": PASSWORD,
            "new_password": passphrase,
            "new_password_again": passphrase,
        },
    )

    manager.refresh_from_db()
    assert manager.check_password(passphrase)


def test_idle_session_times_out(manager, settings):
    client = verified_client(manager)
    client.get(reverse("services:account"))
    session = client.session
    session[LAST_SEEN_AT] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT_SECONDS - 5
    session.save()

    response = client.get(reverse("services:account"))

    assert response.status_code == 302
    assert client.get(reverse("services:account"))["Location"].startswith("/connexion/")


def test_session_ends_after_its_absolute_lifetime_even_if_active(manager, settings):
    client = verified_client(manager)
    client.get(reverse("services:account"))
    session = client.session
    session[SIGNED_IN_AT] = (
        int(time.time()) - settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS - 5
    )
    session[LAST_SEEN_AT] = int(time.time())
    session.save()

    assert client.get(reverse("services:account")).status_code == 302


def _link_in_outbox(pattern: str) -> str:
    for entry in fake.outbox:
        match = re.search(pattern, entry.message.text_body)
        if match:
            return match.group(0)
    raise AssertionError("No such link in the fake outbox")


def test_password_reset_link_arrives_through_the_pipeline_and_works_once(
    manager, django_capture_on_commit_callbacks
):
    add_totp(manager)
    client = Client()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("signin:password-reset"), {"email": manager.email}
        )
    unknown = Client().post(
        reverse("signin:password-reset"), {"email": "personne@example.gouv.fr"}
    )

    assert response.status_code == unknown.status_code == 302
    link = _link_in_outbox(r"http://testserver/mot-de-passe/reinitialiser/\S+/")
    assert len(fake.outbox) == 1
    new = "une autre phrase de passe solide"
    response = client.post(link, {"new_password": new, "new_password_again": new})
    assert response["Location"] == reverse("signin:sign-in")
    manager.refresh_from_db()
    assert manager.check_password(new)
    assert client.get(link).status_code == 400


def test_reset_requests_are_limited_per_address_without_saying_so(
    manager, settings, django_capture_on_commit_callbacks
):
    settings.SIGN_IN_MAX_FAILURES = 2
    client = Client()

    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(
                reverse("signin:password-reset"), {"email": manager.email}, follow=True
            )
            for _ in range(4)
        ]

    assert len(fake.outbox) == 2
    messages = {
        re.search(r"Si un compte existe[^<]*", a.content.decode()).group(0)
        for a in answers
    }
    assert len(messages) == 1
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.SIGN_IN_THROTTLED, actor_email=manager.email
        ).count()
        == 2
    )


def test_reset_requests_are_limited_per_source_address(
    manager, settings, django_capture_on_commit_callbacks
):
    settings.SIGN_IN_MAX_FAILURES_PER_IP = 2
    client = Client()

    with django_capture_on_commit_callbacks(execute=True):
        for number in range(2):
            client.post(
                reverse("signin:password-reset"),
                {"email": f"personne{number}@example.gouv.fr"},
            )
        client.post(reverse("signin:password-reset"), {"email": manager.email})
        Client(REMOTE_ADDR="192.0.2.10").post(
            reverse("signin:password-reset"), {"email": manager.email}
        )

    assert len(fake.outbox) == 1


def test_password_reset_does_not_bypass_the_second_factor(
    manager, django_capture_on_commit_callbacks
):
    add_totp(manager)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signin:password-reset"), {"email": manager.email})
    link = _link_in_outbox(r"http://testserver/mot-de-passe/reinitialiser/\S+/")
    new = "une autre phrase de passe solide"
    client.post(link, {"new_password": new, "new_password_again": new})

    sign_in(client, manager.email, new)

    assert client.get(reverse("services:service-list")).status_code == 302


def test_invitation_creates_an_account_that_must_set_up_a_factor(
    manager_client, team_service, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("services:invite", args=[team_service.id]),
            {"email": "nouvelle@example.gouv.fr", "permissions": ["view_activity"]},
        )
    assert response.status_code == 302
    link = _link_in_outbox(r"http://testserver/invitation/[\w-]+/")
    client = Client()

    new = "ma phrase de passe pour la préfecture"
    response = client.post(
        link,
        {"full_name": "Nina Nouvelle", "new_password": new, "new_password_again": new},
    )

    assert response["Location"] == reverse("signin:factor-setup")
    user = User.objects.get(email="nouvelle@example.gouv.fr")
    member = ServiceMember.objects.get(service=team_service, user=user)
    assert member.permissions == ["view_activity"]
    assert client.get(reverse("services:service-list")).status_code == 302
    assert Client().get(link).status_code == 400


def test_expired_invitation_is_refused(
    manager_client, team_service, settings, django_capture_on_commit_callbacks
):
    settings.INVITATION_VALIDITY_HOURS = 0
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            reverse("services:invite", args=[team_service.id]),
            {"email": "tard@example.gouv.fr", "permissions": ["view_activity"]},
        )
    link = _link_in_outbox(r"http://testserver/invitation/[\w-]+/")

    assert Client().get(link).status_code == 400
    assert Invitation.objects.get(email="tard@example.gouv.fr").accepted_at is None


def test_security_headers_and_a_csp_without_inline_scripts(manager_client):
    response = manager_client.get(reverse("services:account"))

    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert script_src.startswith("'self'")
    assert "'unsafe-inline'" not in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    # No inline code: every script is a file (or a JSON data block).
    scripts = re.findall(r"<script\b([^>]*)>", response.content.decode())
    assert scripts
    for attributes in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes
    assert " style=" not in response.content.decode()


def test_operator_without_security_key_is_refused_when_required(settings):
    settings.OPERATORS_REQUIRE_SECURITY_KEY = True
    operator = factories.user(is_staff=True, is_superuser=True)
    client = verified_client(operator)

    assert client.get("/admin/").status_code == 302
    settings.OPERATORS_REQUIRE_SECURITY_KEY = False
    assert client.get("/admin/").status_code == 200
