"""The platform's own service and its emails to back-office users
(password reset, invitation), sent through the normal pipeline.

The service and its templates are created on first use; operators may then
edit the templates' wording in the admin, and later sends use it.
"""

import uuid

from django.conf import settings
from django.db import transaction

from services.models import Service
from templates_app import actions as template_actions
from templates_app.models import Template

from . import oneoff

TEMPLATES = {
    "password_reset": {
        "name": "Plateforme — réinitialisation du mot de passe",
        "subject": "Choisissez un nouveau mot de passe pour Notifications",
        "body": (
            "Bonjour,\n\n"
            "Quelqu’un, sans doute vous, a demandé à changer le mot de passe de "
            "votre compte Notifications. Pour en choisir un nouveau, ouvrez ce "
            "lien dans l’heure :\n\n((lien))\n\n"
            "Si vous n’avez rien demandé, ignorez ce message : votre mot de "
            "passe reste le même.\n\nL’équipe Notifications"
        ),
    },
    "invitation": {
        "name": "Plateforme — invitation dans une équipe",
        "subject": "Invitation à rejoindre « ((service)) » sur Notifications",
        "body": (
            "Bonjour,\n\n((invite_par)) vous invite à rejoindre l’équipe du "
            "service « ((service)) » sur Notifications, le service d’envoi "
            "d’emails et de SMS des administrations.\n\n"
            "Pour accepter, ouvrez ce lien :\n\n((lien))\n\n"
            "Il est valable ((duree)) heures.\n\nL’équipe Notifications"
        ),
    },
}


@transaction.atomic
def platform_service_get_or_create() -> Service:
    service_id = uuid.UUID(settings.PLATFORM_SERVICE_ID)
    service = Service.objects.select_for_update().filter(id=service_id).first()
    if service is None:
        service = Service.objects.create(
            id=service_id,
            name=settings.PLATFORM_SERVICE_NAME,
            organisation_name="Plateforme Notifications",
            restricted=False,
            email_daily_limit=1_000_000,
        )
    return service


def platform_template_get_or_create(*, service: Service, kind: str) -> Template:
    spec = TEMPLATES[kind]
    template = Template.objects.filter(
        service=service, name=spec["name"], archived=False
    ).first()
    if template is None:
        template = template_actions.template_create(
            service=service,
            channel="email",
            name=spec["name"],
            subject=spec["subject"],
            body=spec["body"],
        )
    return template


def platform_email_send(*, kind: str, email_address: str, personalisation: dict):
    """Send one of the platform's emails (``services.platform`` calls this
    through the ``PLATFORM_EMAIL_SENDER`` setting)."""
    service = platform_service_get_or_create()
    template = platform_template_get_or_create(service=service, kind=kind)
    return oneoff.notification_send_one_off(
        service=service,
        template_id=template.id,
        recipient=email_address,
        personalisation=personalisation,
        created_by=None,
        check_trial=False,
    )
