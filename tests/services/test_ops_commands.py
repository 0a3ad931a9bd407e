"""Ops commands: results a script can read, clear errors for mistakes."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from services import secrets
from services.models import ApiKey, Service, User
from templates_app.models import Template
from tests import factories

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def run_json(*args) -> dict:
    return json.loads(run(*args, "--json"))


def test_create_service_in_trial_mode_by_default():
    data = run_json("create_service", "Préfecture du Rhône")

    service = Service.objects.get(id=data["id"])
    assert service.name == "Préfecture du Rhône"
    assert service.restricted is True


def test_create_service_live_with_text_output():
    output = run("create_service", "Mairie", "--live")

    service = Service.objects.get(name="Mairie")
    assert service.restricted is False
    assert str(service.id) in output


@pytest.mark.parametrize("name", ["", "   "])
def test_create_service_refuses_an_empty_name(name):
    with pytest.raises(CommandError, match="must not be empty"):
        run("create_service", name)


def test_create_service_refuses_a_duplicate_name():
    factories.service(name="CAF")

    with pytest.raises(CommandError, match="already exists"):
        run("create_service", "CAF")


def test_create_api_key_prints_a_key_that_authenticates():
    service = factories.service()

    data = run_json("create_api_key", str(service.id), "production", "--type", "team")

    parts = secrets.split_key_string(data["key"])
    key = ApiKey.objects.get(id=data["id"])
    assert parts.service_id == service.id
    assert key.key_type == "team"
    assert key.secret_hash == secrets.hash_secret(parts.secret)


def test_create_api_key_refuses_a_malformed_service_id():
    with pytest.raises(CommandError, match="not a UUID"):
        run("create_api_key", "not-a-uuid", "production")


def test_create_api_key_refuses_an_unknown_service(random_uuid):
    with pytest.raises(CommandError, match="No service"):
        run("create_api_key", str(random_uuid), "production")


def test_create_api_key_refuses_an_unknown_type():
    service = factories.service()

    with pytest.raises(CommandError, match="invalid choice"):
        run("create_api_key", str(service.id), "production", "--type", "admin")


def test_create_template_email_and_sms():
    service = factories.service()

    email = run_json(
        "create_template",
        str(service.id),
        "email",
        "Relance",
        "--subject",
        "Relance ((dossier))",
        "--body",
        "Bonjour ((nom))",
    )
    sms = run_json(
        "create_template", str(service.id), "sms", "Code", "--body", "((code))"
    )

    assert Template.objects.get(id=email["id"]).subject == "Relance ((dossier))"
    assert Template.objects.get(id=sms["id"]).channel == "sms"


def test_create_template_refuses_email_without_subject():
    service = factories.service()

    with pytest.raises(CommandError, match="--subject"):
        run("create_template", str(service.id), "email", "Relance", "--body", "x")


@pytest.mark.parametrize("name", ["", "   ", "x" * 256])
def test_create_template_refuses_a_bad_name(service, name):
    with pytest.raises(CommandError, match="name"):
        run("create_template", str(service.id), "sms", name, "--body", "Bonjour")
    assert not Template.objects.exists()


def test_refusal_is_json_too_with_json(random_uuid):
    out = io.StringIO()

    with pytest.raises(CommandError, match="No service"):
        call_command("create_api_key", str(random_uuid), "k", "--json", stdout=out)

    assert json.loads(out.getvalue()) == {
        "error": f"No service has the id {random_uuid}."
    }


def test_create_template_refuses_unknown_service(random_uuid):
    with pytest.raises(CommandError, match="No service"):
        run("create_template", str(random_uuid), "sms", "Code", "--body", "x")


def test_create_operator_prints_otpauth_uri_and_qr_code():
    output = run("create_operator", "Ops@Example.gouv.fr")

    user = User.objects.get(email="ops@example.gouv.fr")
    device = TOTPDevice.objects.get(user=user)
    assert user.is_staff and user.is_superuser
    assert device.confirmed
    assert device.config_url in output
    assert "█" in output  # the terminal QR code


def test_create_operator_json_gives_a_password_that_signs_in():
    data = run_json("create_operator", "ops@example.gouv.fr")

    user = User.objects.get(email="ops@example.gouv.fr")
    assert user.check_password(data["password"])
    assert data["otpauth_uri"].startswith("otpauth://totp/")


def test_create_operator_refuses_an_existing_email():
    factories.user(email="ops@example.gouv.fr")

    with pytest.raises(CommandError, match="already exists"):
        run("create_operator", "ops@example.gouv.fr")


def test_create_operator_refuses_an_invalid_email():
    with pytest.raises(CommandError, match="not a valid email"):
        run("create_operator", "not-an-email")


def test_create_operator_refuses_a_weak_password_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("court\n"))

    with pytest.raises(CommandError):
        run("create_operator", "ops@example.gouv.fr", "--password-stdin")

    assert not User.objects.filter(email="ops@example.gouv.fr").exists()


def test_seed_demo_creates_everything_and_prints_the_keys(settings, tmp_path):
    settings.BASE_DIR = tmp_path

    data = run_json("seed_demo")

    service = Service.objects.get(id=data["service_id"])
    assert service.templates.filter(channel="email").exists()
    assert service.templates.filter(channel="sms").exists()
    assert service.reply_to_addresses.filter(is_default=True).count() == 1
    assert service.sms_senders.filter(is_default=True).count() == 1
    assert service.members.filter(user__email=data["member_email"]).exists()
    assert set(data["api_keys"]) == {"normal", "team", "test"}
    for key_type, key in data["api_keys"].items():
        parts = secrets.split_key_string(key)
        assert (
            ApiKey.objects.get(secret_hash=secrets.hash_secret(parts.secret)).key_type
            == key_type
        )
    assert data.pop("created") is True
    assert json.loads((tmp_path / "var" / "demo.json").read_text()) == data


def test_seed_demo_twice_fails_unless_once(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    run("seed_demo", "--quiet")

    with pytest.raises(CommandError, match="already exists"):
        run("seed_demo")
    assert run("seed_demo", "--once", "--quiet") == ""
    assert Service.objects.count() == 1


def test_seed_demo_once_prints_the_saved_demo(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    first = run_json("seed_demo")

    again = run_json("seed_demo", "--once")

    assert again.pop("created") is False
    first.pop("created")
    assert again == first


def test_seed_demo_once_issues_new_secrets_when_the_saved_file_is_gone(
    settings, tmp_path
):
    settings.BASE_DIR = tmp_path
    first = run_json("seed_demo")
    (tmp_path / "var" / "demo.json").unlink()

    again = run_json("seed_demo", "--once")

    assert again["service_id"] == first["service_id"]
    assert again["email_template_id"] == first["email_template_id"]
    for key_type in ("normal", "team", "test"):
        old = secrets.split_key_string(first["api_keys"][key_type]).secret
        new = secrets.split_key_string(again["api_keys"][key_type]).secret
        assert ApiKey.objects.get(secret_hash=secrets.hash_secret(old)).revoked_at
        assert not ApiKey.objects.get(secret_hash=secrets.hash_secret(new)).revoked_at
    member = User.objects.get(email=again["member_email"])
    assert member.check_password(again["member_password"])
    assert TOTPDevice.objects.filter(user=member).count() == 1
    assert again["api_keys"]["normal"] in run("demo_instructions")


def test_demo_instructions_prints_the_key_and_a_curl(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    data = run_json("seed_demo")

    output = run("demo_instructions", "--base-url", "http://localhost:9000")

    assert data["api_keys"]["normal"] in output
    assert "curl -s -X POST http://localhost:9000/v2/notifications/email" in output
    assert data["email_template_id"] in output


def test_demo_instructions_without_demo_data_explains_what_to_do(settings, tmp_path):
    settings.BASE_DIR = tmp_path

    with pytest.raises(CommandError, match="seed_demo"):
        run("demo_instructions")


def test_demo_curl_sends_an_email_that_is_delivered(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    settings.BASE_DIR = tmp_path
    data = run_json("seed_demo")
    curl = run_json("demo_instructions")["curl"]
    body = json.loads(curl.split("-d '", 1)[1].rstrip("'"))
    client = APIClient()
    auth = f"ApiKey-v1 {data['api_keys']['normal']}"

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            "/v2/notifications/email", body, format="json", HTTP_AUTHORIZATION=auth
        )
    read = client.get(
        f"/v2/notifications/{created.json()['id']}", HTTP_AUTHORIZATION=auth
    )

    assert created.status_code == 201, created.content
    assert read.json()["status"] == "delivered"


def test_rotate_api_key_secrets_rewrites_every_key(settings):
    key = factories.api_key(service=factories.service())
    before = ApiKey.objects.get(id=key.api_key.id).secret_encrypted
    new_key = secrets.generate_encryption_key()
    settings.API_KEY_ENCRYPTION_KEYS = [new_key, *settings.API_KEY_ENCRYPTION_KEYS]

    dry = run_json("rotate_api_key_secrets", "--dry-run")
    unchanged = ApiKey.objects.get(id=key.api_key.id).secret_encrypted
    done = run_json("rotate_api_key_secrets")

    assert dry == {"rewritten": 1, "dry_run": True}
    assert unchanged == before
    assert done == {"rewritten": 1, "dry_run": False}
    settings.API_KEY_ENCRYPTION_KEYS = [new_key]
    after = ApiKey.objects.get(id=key.api_key.id).secret_encrypted
    assert secrets.decrypt_secret(after) == key.secret


def test_demo_totp_prints_a_code_the_demo_device_accepts(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    settings.DEBUG = True
    data = run_json("seed_demo")

    code = run_json("demo_totp")["code"]

    device = TOTPDevice.objects.get(user__email=data["member_email"])
    assert device.config_url == data["member_otpauth_uri"]
    assert device.verify_token(code)


def test_demo_totp_is_refused_outside_development(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    run("seed_demo", "--quiet")

    with pytest.raises(CommandError, match="development only"):
        run("demo_totp")
