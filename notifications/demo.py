"""The demo data that `make run` seeds once: a service with an email and an
SMS template, a reply-to address, an SMS sender, a team member and one API
key of each type."""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from services import actions as service_actions
from services.models import KeyType, Service, User
from templates_app import actions as template_actions

DEMO_SERVICE_NAME = "Service de démonstration"
DEMO_MEMBER_EMAIL = "agent.demo@example.gouv.fr"
EMAIL_SUBJECT = "Votre dossier ((reference)) est complet"
EMAIL_BODY = """Bonjour ((prénom)),

Votre dossier ((reference)) est complet. Nous l’instruisons sous 15 jours.

^ Conservez ce message : il vous sera demandé en cas de question.

Pour suivre votre demande : https://www.service-public.fr

L’équipe ((service))"""
SMS_BODY = (
    "Bonjour ((prénom)), votre rendez-vous est confirmé le ((date)). "
    "Pour annuler, répondez STOP."
)


def demo_file() -> Path:
    return Path(settings.BASE_DIR) / "var" / "demo.json"


def demo_exists() -> bool:
    return Service.objects.filter(name=DEMO_SERVICE_NAME).exists()


@transaction.atomic
def demo_seed() -> dict:
    """Create the demo data and return what a newcomer needs to use it
    (secrets included: shown once)."""
    member_password = secrets.token_urlsafe(12)
    member = User.objects.create_user(
        email=DEMO_MEMBER_EMAIL,
        password=member_password,
        full_name="Camille Démo",
        # ARCEP's fiction range, but not a smoke-test number: "send to
        # myself" then goes through the pipeline to the fake provider.
        mobile_number="+33639980001",
    )
    device = TOTPDevice.objects.create(user=member, name="Démo", confirmed=True)
    service = service_actions.service_create(
        name=DEMO_SERVICE_NAME,
        organisation_name="Ministère de la Démonstration",
        restricted=False,
        created_by=member,
    )
    reply_to = service_actions.reply_to_address_add(
        service=service, email_address="contact@demo.example.gouv.fr", is_default=True
    )
    sender = service_actions.sms_sender_add(
        service=service, sms_sender="DEMO", is_default=True
    )
    email_template = template_actions.template_create(
        service=service,
        channel="email",
        name="Dossier complet",
        subject=EMAIL_SUBJECT,
        body=EMAIL_BODY,
        created_by=member,
    )
    sms_template = template_actions.template_create(
        service=service,
        channel="sms",
        name="Confirmation de rendez-vous",
        body=SMS_BODY,
        created_by=member,
    )
    return {
        "service_id": str(service.id),
        "email_template_id": str(email_template.id),
        "sms_template_id": str(sms_template.id),
        "reply_to_id": str(reply_to.id),
        "sms_sender_id": str(sender.id),
        "member_email": member.email,
        "member_password": member_password,
        "member_otpauth_uri": device.config_url,
        "api_keys": _new_keys(service),
    }


@transaction.atomic
def demo_reissue() -> dict:
    """New secrets for the existing demo (its saved file was lost, and the
    keys and password it held are shown only once): new API keys, the old
    demo keys revoked, a new password and a new TOTP device for the team
    member."""
    service = Service.objects.get(name=DEMO_SERVICE_NAME)
    member = User.objects.get(email=DEMO_MEMBER_EMAIL)
    member_password = secrets.token_urlsafe(12)
    member.set_password(member_password)
    member.save(update_fields=["password"])
    TOTPDevice.objects.filter(user=member).delete()
    device = TOTPDevice.objects.create(user=member, name="Démo", confirmed=True)
    for api_key in service.api_keys.filter(revoked_at__isnull=True):
        service_actions.api_key_revoke(api_key=api_key)
    templates = {}
    for template in service.templates.order_by("created_at"):
        templates.setdefault(template.channel, template)
    return {
        "service_id": str(service.id),
        "email_template_id": str(templates["email"].id),
        "sms_template_id": str(templates["sms"].id),
        "reply_to_id": str(service.reply_to_addresses.get(is_default=True).id),
        "sms_sender_id": str(service.sms_senders.get(is_default=True).id),
        "member_email": member.email,
        "member_password": member_password,
        "member_otpauth_uri": device.config_url,
        "api_keys": _new_keys(service),
    }


def _new_keys(service: Service) -> dict[str, str]:
    return {
        key_type: service_actions.api_key_create(
            service=service, name=f"demo_{key_type}", key_type=key_type
        ).key_string
        for key_type in KeyType.values
    }


def demo_save(data: dict) -> Path:
    path = demo_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    path.chmod(0o600)
    return path


def demo_load() -> dict | None:
    path = demo_file()
    if not path.exists():
        return None
    return json.loads(path.read_text())


def curl_command(data: dict, base_url: str) -> str:
    body = json.dumps(
        {
            "email_address": data["member_email"],
            "template_id": data["email_template_id"],
            "personalisation": {
                "prénom": "Camille",
                "reference": "DEMO-2026-001",
                "service": DEMO_SERVICE_NAME,
            },
        },
        ensure_ascii=False,
    )
    return (
        f"curl -s -X POST {base_url}/v2/notifications/email \\\n"
        f"  -H 'Authorization: ApiKey-v1 {data['api_keys']['normal']}' \\\n"
        f"  -H 'Content-Type: application/json' \\\n"
        f"  -d '{body}'"
    )


def demo_totp_code() -> str | None:
    """The demo member's current TOTP code (development only)."""
    device = TOTPDevice.objects.filter(
        user__email=DEMO_MEMBER_EMAIL, confirmed=True
    ).first()
    if device is None:
        return None
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"
