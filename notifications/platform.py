"""The platform's own service and its emails to back-office users
(password reset, invitation), accepted by the same action as every other
notification and sent through the normal pipeline.

The platform service is created on first use, live (not in trial mode),
for email only, with a daily limit of ``PLATFORM_EMAIL_DAILY_LIMIT``
emails: far above what password resets and invitations need, and low
enough to stop a flood (both are already throttled per address and per
IP). Its sends count in the same daily counters as any service's.
Operators may later change the service and its templates in the admin;
later sends use their changes, except trial mode, which platform emails
ignore so that a wrong switch never locks users out of their accounts.
"""

import logging
import uuid

from django.conf import settings

from config.api import ApiError, TooManyRequestsError
from services.models import Service
from services.platform import PlatformEmailError
from templates_app import actions as template_actions
from templates_app.models import Template

from . import actions

logger = logging.getLogger(__name__)

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
UNSENT_FRENCH = "L’email n’a pas pu être envoyé. Réessayez plus tard."
DAILY_LIMIT_FRENCH = (
    "La plateforme a atteint sa limite d’emails pour aujourd’hui. Réessayez demain."
)


def platform_service_get_or_create() -> Service:
    """The platform's service; created live, for email only, on first use
    (``get_or_create`` settles two first uses racing each other)."""
    service, created = Service.objects.get_or_create(
        id=uuid.UUID(settings.PLATFORM_SERVICE_ID),
        defaults={
            "name": settings.PLATFORM_SERVICE_NAME,
            "organisation_name": "Plateforme Notifications",
            "restricted": False,
            "can_send_sms": False,
            "can_send_international_sms": False,
            "email_daily_limit": settings.PLATFORM_EMAIL_DAILY_LIMIT,
            "sms_daily_limit": 0,
            "international_sms_daily_limit": 0,
        },
    )
    if created:
        logger.info(
            "Platform service %s created",
            service.id,
            extra={"service_id": str(service.id)},
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


def platform_email_send(
    *, kind: str, email_address: str, personalisation: dict
) -> actions.AcceptedNotification:
    """Send one of the platform's emails (``services.platform`` calls this
    through the ``PLATFORM_EMAIL_SENDER`` setting); raise
    ``PlatformEmailError`` (a French message) if it cannot be accepted."""
    service = platform_service_get_or_create()
    template = platform_template_get_or_create(service=service, kind=kind)
    try:
        return actions.notification_send_one_off(
            service_id=service.id,
            channel="email",
            template_id=template.id,
            recipient=email_address,
            personalisation=personalisation,
            ignore_trial_mode=True,
        )
    except ApiError as error:
        raise _platform_error(error, kind=kind, service_id=service.id) from error


def _platform_error(error: ApiError, *, kind: str, service_id) -> PlatformEmailError:
    """What to tell the user: a bad address is theirs to fix; anything else
    is the platform's problem, logged as an error for its operators."""
    extra = {"service_id": str(service_id), "platform_email": kind}
    # Notify's message names no recipient nor personalisation value.
    if error.field == actions.RECIPIENT:
        logger.warning(
            "Platform email %s refused: %s", kind, error.message, extra=extra
        )
        return PlatformEmailError(error.french_message or UNSENT_FRENCH)
    logger.error("Platform email %s refused: %s", kind, error.message, extra=extra)
    if isinstance(error, TooManyRequestsError):
        return PlatformEmailError(DAILY_LIMIT_FRENCH)
    return PlatformEmailError(UNSENT_FRENCH)
