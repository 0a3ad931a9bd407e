"""Notifications created from the back office: a one-off send by a team
member, and the platform's own emails to users.

The API's accept actions take an API key; a back-office send has a user
and no key. This module adapts: it applies the same steps in the same
order (service may send, template, rendering, recipient, trial mode and
daily limit, then one INSERT and the delivery task published after
commit), so the notification then goes through the normal pipeline.

TODO(#6): call the accept action once its rewrite (issue #4) takes a key
type and a user instead of an API key, and drop the copy of its steps.
"""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from deliveries import tasks as delivery_tasks
from services import selectors as service_selectors
from services.models import Channel, KeyType, Service
from templates_app import rendering
from templates_app import selectors as template_selectors

from . import recipients
from .models import Notification

logger = logging.getLogger(__name__)


class SendError(Exception):
    """The notification cannot be sent; the message says why, in French,
    and ``field`` which form field it concerns (if any)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def phone_number_normalise(value: str) -> tuple[str, bool]:
    """E.164 form of a mobile number (French numbers in any usual form,
    overseas France included) and whether it is outside France."""
    try:
        number = recipients.validate_phone_number(value)
    except recipients.InvalidRecipientError as error:
        raise SendError(error.french_message, field="recipient") from error
    return number.e164, number.international


def _normalise(channel: str, recipient: str) -> tuple[str, bool]:
    if channel == Channel.EMAIL:
        try:
            return recipients.validate_email_address(recipient), False
        except recipients.InvalidRecipientError as error:
            raise SendError(error.french_message, field="recipient") from error
    return phone_number_normalise(recipient)


def _check_service(service: Service, channel: str, normalised: str, international):
    if not service.active:
        raise SendError("Ce service est suspendu : il ne peut pas envoyer de message.")
    if not service.can_send(channel):
        raise SendError("Ce service n’a pas le droit d’envoyer ce type de message.")
    if international and not service.can_send_international_sms:
        raise SendError(
            "Ce service ne peut pas envoyer de SMS à l’international.",
            field="recipient",
        )
    if service.restricted and normalised not in service_selectors.team_recipients(
        service=service
    ):
        raise SendError(
            "En mode d’essai, vous ne pouvez envoyer qu’aux membres de l’équipe et "
            "aux personnes de la liste d’invités.",
            field="recipient",
        )
    since = timezone.now() - dt.timedelta(days=1)
    sent_today = Notification.objects.filter(
        service=service, channel=channel, created_at__gte=since
    ).exclude(key_type=KeyType.TEST)
    if sent_today.count() >= service.daily_limit(channel):
        raise SendError(
            "La limite quotidienne de messages de ce service est atteinte. "
            "Réessayez demain."
        )


def _render(version, personalisation: dict, service: Service) -> None:
    try:
        if version.channel == Channel.EMAIL:
            rendering.render_email(
                subject=version.subject,
                body=version.body,
                personalisation=personalisation,
            )
        else:
            prefix = service.name if service.sms_prefix else ""
            rendering.render_sms(
                body=version.body, personalisation=personalisation, prefix=prefix
            )
    except rendering.RenderingError as error:
        raise SendError(error.french_message) from error


def _reply_to(service: Service, channel: str) -> str:
    if channel == Channel.EMAIL:
        default = service.reply_to_addresses.filter(
            is_default=True, archived=False
        ).first()
        return default.email_address if default else ""
    default = service.sms_senders.filter(is_default=True, archived=False).first()
    return default.sms_sender if default else ""


def notification_send_one_off(
    *,
    service: Service,
    template_id,
    recipient: str,
    personalisation: dict,
    created_by,
    check_trial: bool = True,
) -> Notification:
    """Accept a notification sent by hand, then hand it to the pipeline
    (the delivery task is published after commit)."""
    version = template_selectors.template_version_get(
        service_id=service.id, template_id=template_id
    )
    if version is None or version.template.archived:
        raise SendError("Ce modèle n’existe pas ou a été archivé.")
    channel = version.channel
    normalised, international = _normalise(channel, recipient)
    if check_trial:
        _check_service(service, channel, normalised, international)
    _render(version, personalisation, service)

    with transaction.atomic():
        notification = Notification.objects.create(
            service=service,
            template_id=version.template_id,
            template_version=version,
            key_type=KeyType.NORMAL,
            channel=channel,
            recipient=recipient.strip(),
            normalised_recipient=normalised,
            personalisation=personalisation,
            international=international,
            reply_to=_reply_to(service, channel),
            created_by=created_by,
        )
        transaction.on_commit(
            lambda: delivery_tasks.publish_delivery(
                notification_id=notification.id, channel=channel
            )
        )

    logger.info(
        "Notification %s accepted from the back office",
        notification.id,
        extra={
            "notification_id": str(notification.id),
            "service_id": str(service.id),
        },
    )
    return notification
