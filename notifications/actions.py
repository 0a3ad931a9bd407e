"""Accepting notifications: validate, render, insert, then publish the
delivery task after commit."""

import logging
import uuid

from django.db import transaction

from config.api import BadRequestError
from deliveries import tasks as delivery_tasks
from services.models import ApiKey, Channel
from templates_app import rendering
from templates_app import selectors as template_selectors

from . import recipients
from .models import Notification

logger = logging.getLogger(__name__)


def _template_version(*, api_key: ApiKey, template_id: uuid.UUID, channel: str):
    version = template_selectors.template_version_get(
        service_id=api_key.service_id, template_id=template_id
    )
    if version is None:
        raise BadRequestError("Template not found")
    if version.channel != channel:
        raise BadRequestError(
            f"{version.channel} template is not suitable for {channel} notification"
        )
    if version.template.archived:
        raise BadRequestError("Template has been deleted")
    return version


def notification_create_email(
    *,
    api_key: ApiKey,
    template_id: uuid.UUID,
    email_address: str,
    personalisation: dict | None = None,
    client_reference: str | None = None,
) -> tuple[Notification, rendering.RenderedEmail]:
    """Accept an email: the row is committed before the delivery task is
    published, so a lost publish delays it (the relay sends it) but never
    loses it."""
    personalisation = personalisation or {}
    version = _template_version(
        api_key=api_key, template_id=template_id, channel=Channel.EMAIL
    )
    try:
        rendered = rendering.render_email(
            subject=version.subject, body=version.body, personalisation=personalisation
        )
    except rendering.MissingPersonalisationError as error:
        raise BadRequestError(str(error)) from error
    try:
        normalised = recipients.validate_email_address(email_address)
    except recipients.InvalidRecipientError as error:
        raise BadRequestError(str(error)) from error

    with transaction.atomic():
        notification = Notification.objects.create(
            service_id=api_key.service_id,
            template_id=version.template_id,
            template_version=version,
            api_key=api_key,
            key_type=api_key.key_type,
            channel=Channel.EMAIL,
            recipient=email_address.strip(),
            normalised_recipient=normalised,
            personalisation=personalisation,
            client_reference=client_reference,
        )
        transaction.on_commit(
            lambda: delivery_tasks.publish_delivery(
                notification_id=notification.id, channel=Channel.EMAIL
            )
        )

    logger.info(
        "Notification %s accepted",
        notification.id,
        extra={
            "notification_id": str(notification.id),
            "service_id": str(api_key.service_id),
        },
    )
    return notification, rendered
