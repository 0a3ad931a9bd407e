"""The JSON bodies of the API, shaped exactly as GOV.UK Notify's."""

from django.conf import settings

from templates_app import rendering
from templates_app.models import Template, TemplateVersion

from .. import language
from ..actions import AcceptedNotification
from ..models import Notification, ReceivedTextMessage
from ..statuses import FINAL_STATUSES
from .common import format_datetime

ADDRESS_LINES = ("line_1", "line_2", "line_3", "line_4", "line_5", "line_6")


def _template_reference(root: str, accepted: AcceptedNotification) -> dict:
    template = accepted.template
    return {
        "id": template.id,
        "version": template.version,
        # Notify's code (not its docs) points at the admin's template page.
        "uri": f"{root}/services/{accepted.service_id}/templates/{template.id}",
    }


def email_created(root: str, accepted: AcceptedNotification) -> dict:
    return {
        "id": str(accepted.id),
        "reference": accepted.client_reference,
        "content": {
            "from_email": accepted.from_email,
            "body": accepted.body,
            "subject": accepted.subject,
            "one_click_unsubscribe_url": accepted.one_click_unsubscribe_url,
        },
        "uri": f"{root}/v2/notifications/{accepted.id}",
        "template": _template_reference(root, accepted),
        "scheduled_for": None,
        "sanitised_content": accepted.sanitised_content,
    }


def sms_created(root: str, accepted: AcceptedNotification) -> dict:
    return {
        "id": str(accepted.id),
        "reference": accepted.client_reference,
        "content": {"body": accepted.body, "from_number": accepted.from_number},
        "uri": f"{root}/v2/notifications/{accepted.id}",
        "template": _template_reference(root, accepted),
        "scheduled_for": None,
    }


def _rendered(notification: Notification) -> tuple[str, str | None]:
    """The body and subject as sent, rendered again from the stored
    personalisation and the pinned template version."""
    version = notification.template_version
    try:
        if notification.channel == "email":
            email = language.render_email(
                subject=version.subject,
                body=version.body,
                personalisation=notification.personalisation,
            )
            return email.body, email.subject
        sms = language.render_sms(
            body=version.body, personalisation=notification.personalisation
        )
        return sms.body, None
    except (
        language.MissingPersonalisationError,
        language.ContentRejected,
        language.MessageTooLong,
    ):
        return (
            version.body,
            version.subject if notification.channel == "email" else None,
        )


def _cost(notification: Notification) -> dict:
    if notification.channel == "email":
        return {"is_cost_data_ready": True, "cost_in_pounds": 0.0, "cost_details": {}}
    if notification.status == "created" and not notification.billable_units:
        return {"is_cost_data_ready": False, "cost_in_pounds": None, "cost_details": {}}
    rate = settings.API_SMS_FRAGMENT_RATE
    return {
        "is_cost_data_ready": True,
        "cost_in_pounds": round(notification.billable_units * rate, 4),
        "cost_details": {
            "billable_sms_fragments": notification.billable_units,
            "international_rate_multiplier": 1.0,
            "sms_rate": rate,
        },
    }


def _created_by_name(notification: Notification) -> str | None:
    """Who sent it by hand from the back office (``None`` for API sends);
    the selectors join the user."""
    if notification.created_by_id is None:
        return None
    user = notification.created_by
    if user is None:
        return None
    return user.full_name or user.email


def notification(root: str, notification: Notification) -> dict:
    version = notification.template_version
    is_email = notification.channel == "email"
    body, subject = _rendered(notification)
    completed = notification.status in FINAL_STATUSES
    template_uri = f"{root}/v2/template/{version.template_id}/version/{version.version}"
    return {
        "id": str(notification.id),
        "reference": notification.client_reference,
        "email_address": notification.recipient if is_email else None,
        "phone_number": None if is_email else notification.recipient,
        **dict.fromkeys(ADDRESS_LINES),
        "postcode": None,
        "type": notification.channel,
        "status": notification.status,
        "template": {
            "id": str(version.template_id),
            "version": version.version,
            "uri": template_uri,
        },
        "body": body,
        "subject": subject,
        "created_at": format_datetime(notification.created_at),
        "created_by_name": _created_by_name(notification),
        "sent_at": format_datetime(notification.sent_at),
        "completed_at": format_datetime(notification.updated_at) if completed else None,
        "scheduled_for": None,
        "postage": None,
        "one_click_unsubscribe_url": notification.one_click_unsubscribe_url or None,
        **_cost(notification),
    }


def template(template: Template, version: TemplateVersion | None = None) -> dict:
    """A template as of ``version`` (its latest version when ``None``)."""
    shown = version or template
    names = language.placeholders(shown.subject, shown.body)
    creator = shown.created_by or template.created_by
    if version is None:
        updated_at = template.updated_at
    else:
        # A version is written when the template is edited: its creation is
        # the template's update (none for the first version).
        updated_at = version.created_at if version.version > 1 else None
    return {
        "id": str(template.id),
        "type": shown.channel,
        "created_at": format_datetime(template.created_at),
        "updated_at": format_datetime(updated_at),
        "created_by": creator.email if creator else None,
        "version": shown.version,
        "body": shown.body,
        "subject": shown.subject if shown.channel == "email" else None,
        "name": shown.name,
        "personalisation": {name: {"required": True} for name in names},
        "postage": None,
        "letter_contact_block": None,
    }


def template_preview(version: TemplateVersion, personalisation: dict) -> dict:
    """Raise as ``language.render_email`` does: a missing value, then
    ``ContentRejected`` or ``MessageTooLong``."""
    try:
        shown = rendering.preview(
            channel=version.channel,
            subject=version.subject,
            body=version.body,
            personalisation=personalisation,
            check_length=True,
        )
    except rendering.EmptyMessageError as error:
        raise language.ContentRejected(error) from error
    except rendering.MessageTooLongError as error:
        raise language.MessageTooLong(error) from error
    return {
        "id": str(version.template_id),
        "type": version.channel,
        "version": version.version,
        **shown.api_fields(),
        "postage": None,
    }


def received_text_message(message: ReceivedTextMessage) -> dict:
    return {
        "id": str(message.id),
        "created_at": format_datetime(message.created_at),
        "service_id": str(message.service_id),
        "notify_number": message.notify_number,
        "user_number": message.user_number,
        "content": message.content,
    }
