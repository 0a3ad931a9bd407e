"""Accepting a notification: check it, render it, store it, then publish
its delivery after commit.

Every notification is accepted here: the public API calls
``notification_accept``; the back office's "Envoyer" screen and the
platform's own emails (password reset, invitation) call
``notification_send_one_off``, which applies a live key's rules. It needs
no HTTP request. Checks run in GOV.UK Notify's order, because which error
wins is part of the contract: daily limit, permission, template,
rendering, sender, recipient (team and trial mode first), simulated
recipients, files to download, message length, then the insert.

Each refusal is an ``ApiError`` with Notify's English message (the API's)
and a ``french_message`` and ``field`` for the back office's form.

In steady state an accepted notification costs one INSERT (a statement
built once, ``rows.py``) and one id queued for the batching publisher
(``deliveries.publisher``), never a broker call: the service, its keys,
senders and team and the template come from ``notifications.cache``, the
limits live in Redis.
"""

import functools
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from config.api import ApiError, BadRequestError
from deliveries import tasks as delivery_tasks

from .. import cache, language, limits
from .rows import notification_insert

logger = logging.getLogger(__name__)

TEAM_KEY_ERROR = "Can’t send to this recipient using a team-only API key"
TRIAL_MODE_ERROR = (
    "Can’t send to this recipient when service is in trial mode – see "
    "https://www.notifications.service.gov.uk/trial-mode"
)
_ALLOWED_RECIPIENTS = (
    "vous ne pouvez envoyer qu’aux membres de l’équipe et aux personnes de la "
    "liste d’invités."
)
TEAM_KEY_FRENCH = f"Avec une clé d’équipe, {_ALLOWED_RECIPIENTS}"
TRIAL_MODE_FRENCH = f"En mode d’essai, {_ALLOWED_RECIPIENTS}"
CHANNEL_NAMES = {"email": "emails", "sms": "text messages"}
FRENCH_CHANNEL_NAMES = {"email": "des emails", "sms": "des SMS"}
INACTIVE_SERVICE_FRENCH = "Ce service est suspendu : il ne peut pas envoyer de message."
MAX_RECIPIENT_LENGTH = 320

# The back-office form fields a refusal concerns (``ApiError.field``).
RECIPIENT = "recipient"
PERSONALISATION = "personalisation"
TEMPLATE = "template"
REPLY_TO = "reply_to"


@dataclass(frozen=True)
class Sender:
    """Who sends: a service with an API key's type, or a back-office user
    (key type ``normal``). ``ignore_trial_mode`` is for the platform's own
    emails only, which must reach any user even if an operator put the
    platform service in trial mode."""

    service: cache.ServiceSnapshot
    key_type: str = "normal"
    api_key_id: uuid.UUID | None = None
    created_by_id: int | None = None
    ignore_trial_mode: bool = False


@dataclass(frozen=True)
class AcceptedNotification:
    id: uuid.UUID
    channel: str
    service_id: str
    template: cache.TemplateSnapshot
    client_reference: str | None
    body: str
    subject: str | None = None
    from_email: str = ""
    from_number: str = ""
    one_click_unsubscribe_url: str | None = None
    sanitised_content: dict = field(default_factory=dict)
    # A simulated recipient: answered as accepted, never stored nor sent.
    simulated: bool = False


@dataclass(frozen=True)
class _Recipient:
    given: str
    normalised: str
    international: bool = False


def notification_accept(
    *,
    sender: Sender,
    channel: str,
    template_id: uuid.UUID | str,
    recipient: str,
    personalisation: dict | None = None,
    client_reference: str | None = None,
    reply_to_id: uuid.UUID | str | None = None,
    one_click_unsubscribe_url: str | None = None,
    sanitise_content_for: list[str] | None = None,
    check_daily_limit: bool = True,
) -> AcceptedNotification:
    """Accept one email or SMS; raise an ``ApiError`` (Notify's error and
    message, plus the French message and form field of the back office)
    when it breaks a rule.

    ``check_daily_limit=False`` when the caller checked it already (the
    API checks it before reading the body, as Notify does)."""
    service = sender.service
    personalisation = dict(personalisation or {})
    if check_daily_limit:
        limits.check_daily_limit(
            service=service, key_type=sender.key_type, kind=channel
        )
    _check_channel(service, channel)

    template = _template(service, template_id, channel)
    content, too_long = _render(
        service, template, personalisation, sanitise_content_for, channel
    )
    reply_to = _reply_to(service, channel, reply_to_id)
    to = _recipient(sender, channel, recipient)
    simulated = language.is_simulated_recipient(channel, to.normalised)
    if _has_file(personalisation):
        _refuse_file_download(service)
    if too_long is not None:
        raise _refusal(too_long, field=PERSONALISATION)

    accepted = AcceptedNotification(
        id=uuid.uuid4(),
        channel=channel,
        service_id=service.id,
        template=template,
        client_reference=client_reference,
        body=content.body,
        # Notify's subject: sanitised values escaped, as GET shows them.
        subject=getattr(content, "api_subject", None),
        from_email=_from_email(service) if channel == "email" else "",
        from_number=_format_sender(reply_to) if channel == "sms" else "",
        one_click_unsubscribe_url=one_click_unsubscribe_url,
        sanitised_content=getattr(content, "sanitised_content", {}),
        simulated=simulated,
    )
    if not simulated:
        _store(sender, accepted, to, personalisation, reply_to, content)
    return accepted


def notification_send_one_off(
    *,
    service_id: uuid.UUID | str,
    channel: str,
    template_id: uuid.UUID | str,
    recipient: str,
    personalisation: dict | None = None,
    created_by_id: int | None = None,
    reply_to_id: uuid.UUID | str | None = None,
    ignore_trial_mode: bool = False,
) -> AcceptedNotification:
    """Send one notification by hand (the back office) or for the platform
    (its own emails to users).

    The send counts as a live key's: trial mode applies (unless
    ``ignore_trial_mode``, for the platform's emails only), and so do the
    daily limits, in the same Redis counters as the API's sends."""
    service = cache.service_get(service_id)
    if service is None:
        raise BadRequestError(
            "Service not found", french_message="Ce service n’existe pas."
        )
    if not service.active:
        raise BadRequestError(
            "Service is inactive",
            french_message=INACTIVE_SERVICE_FRENCH,
        )
    sender = Sender(
        service=service,
        created_by_id=created_by_id,
        ignore_trial_mode=ignore_trial_mode,
    )
    return notification_accept(
        sender=sender,
        channel=channel,
        template_id=template_id,
        recipient=recipient,
        personalisation=personalisation,
        reply_to_id=reply_to_id,
    )


def _refusal(error: Exception, *, field: str | None) -> BadRequestError:
    """A refusal from the template language or the recipient rules, which
    carry both Notify's text (``str(error)``) and a French one."""
    return BadRequestError(str(error), french_message=error.french_message, field=field)


def _check_channel(service: cache.ServiceSnapshot, channel: str) -> None:
    if service.can_send(channel):
        return
    french_name = FRENCH_CHANNEL_NAMES[channel]
    raise BadRequestError(
        f"Service is not allowed to send {CHANNEL_NAMES[channel]}",
        french_message=f"Ce service n’est pas autorisé à envoyer {french_name}.",
    )


def _template(
    service: cache.ServiceSnapshot, template_id, channel: str
) -> cache.TemplateSnapshot:
    template = cache.template_get(service.id, template_id)
    if template is None:
        raise BadRequestError(
            "Template not found",
            french_message="Ce modèle n’existe pas dans ce service.",
            field=TEMPLATE,
        )
    if template.channel != channel:
        french_name = FRENCH_CHANNEL_NAMES[channel]
        raise BadRequestError(
            f"{template.channel} template is not suitable for {channel} notification",
            french_message=f"Ce modèle ne peut pas servir à envoyer {french_name}.",
            field=TEMPLATE,
        )
    if template.archived:
        raise BadRequestError(
            "Template has been deleted",
            french_message="Ce modèle a été archivé : il ne peut plus servir.",
            field=TEMPLATE,
        )
    return template


def _render(service, template, personalisation, sanitise_content_for, channel):
    """Render the message; return it with the over-length error, if any,
    which is reported only after the recipient checks (Notify's order)."""
    try:
        if channel == "email":
            content = language.render_email(
                subject=template.subject,
                body=template.body,
                personalisation=personalisation,
                service_name=service.name,
                sanitise_content_for=sanitise_content_for,
            )
        else:
            prefix = service.name if service.sms_prefix else ""
            content = language.render_sms(
                body=template.body, personalisation=personalisation, prefix=prefix
            )
    except (language.MissingPersonalisationError, language.ContentRejected) as error:
        raise _refusal(error, field=PERSONALISATION) from error
    except language.MessageTooLong as error:
        content, too_long = None, error
    else:
        too_long = None
    if channel != "email" and _has_file(personalisation):
        raise BadRequestError(
            "Can only send a file by email",
            french_message="Seul un email peut contenir un fichier.",
            field=PERSONALISATION,
        )
    if content is None:
        content = _Unrendered()
    return content, too_long


@dataclass(frozen=True)
class _Unrendered:
    body: str = ""


def _has_file(personalisation: dict) -> bool:
    return any(
        isinstance(value, dict) and "file" in value
        for value in personalisation.values()
    )


def _refuse_file_download(service: cache.ServiceSnapshot) -> None:
    """Refuse a file to download in an email, with Notify's message for a
    service that has not set up sending files by email (checked where
    Notify checks uploads: after the recipient, before the length).

    Decision: no document-download service is offered (see the README's
    API section), so every service gets this refusal; the link points to
    the service's settings page in the back office."""
    settings_path = reverse("services:settings", kwargs={"service_id": service.id})
    raise BadRequestError(
        "Send files by email has not been set up - add contact details for your "
        f"service at {settings.BACKOFFICE_BASE_URL.rstrip('/')}{settings_path}",
        french_message="L’envoi de fichiers par email n’est pas proposé.",
        field=PERSONALISATION,
    )


def _reply_to(service: cache.ServiceSnapshot, channel: str, reply_to_id) -> str:
    if channel == "email":
        senders, default, name = (
            service.reply_to_addresses,
            service.default_reply_to,
            "email_reply_to_id",
        )
        french = "Cette adresse de réponse n’existe pas ou a été supprimée."
    else:
        senders, default, name = (
            service.sms_senders,
            service.default_sms_sender or settings.DEFAULT_SMS_SENDER,
            "sms_sender_id",
        )
        french = "Cet expéditeur de SMS n’existe pas ou a été supprimé."
    if reply_to_id is None:
        return default
    chosen = senders.get(str(uuid.UUID(str(reply_to_id))))
    if chosen is None:
        raise BadRequestError(
            f"{name} {reply_to_id} does not exist in database for service id "
            f"{service.id}",
            french_message=french,
            field=REPLY_TO,
        )
    return chosen


def _recipient(sender: Sender, channel: str, recipient: str) -> _Recipient:
    service = sender.service
    given = (recipient or "").strip()
    _check_team(sender, channel, given)

    if channel == "email":
        return _Recipient(given=given, normalised=_valid_email(given))
    phone = _valid_phone(given)
    if language.is_simulated_recipient(channel, phone.e164):
        # Notify's smoke-test numbers are British, so international for us:
        # answered whatever the permission, as Notify answers them (they
        # are never sent nor counted).
        return _Recipient(given=given, normalised=phone.e164)
    if phone.international and not service.can_send_international_sms:
        raise _refusal(language.InternationalNumberNotAllowedError(), field=RECIPIENT)
    if phone.international:
        limits.check_daily_limit(
            service=service, key_type=sender.key_type, kind="international_sms"
        )
    return _Recipient(
        given=given, normalised=phone.e164, international=phone.international
    )


def _check_team(sender: Sender, channel: str, given: str) -> None:
    """A team key, or a live key of a service in trial mode, sends only to
    the team and the guest list (compared in normalised form, so a member's
    number matches however it was written)."""
    service = sender.service
    trial_mode = service.restricted and not sender.ignore_trial_mode
    restricted = sender.key_type == "team" or (
        sender.key_type == "normal" and trial_mode
    )
    if not restricted:
        return
    if language.normalise_for_matching(channel, given) in service.team:
        return
    if sender.key_type == "team":
        raise BadRequestError(
            TEAM_KEY_ERROR, french_message=TEAM_KEY_FRENCH, field=RECIPIENT
        )
    raise BadRequestError(
        TRIAL_MODE_ERROR, french_message=TRIAL_MODE_FRENCH, field=RECIPIENT
    )


def _valid_email(value: str) -> str:
    try:
        if len(value) > MAX_RECIPIENT_LENGTH:
            raise language.InvalidEmailAddressError()
        return language.validate_email_address(value)
    except language.InvalidRecipientError as error:
        raise BadRequestError(
            language.recipient_error_message(error),
            french_message=error.french_message,
            field=RECIPIENT,
        ) from error


def _valid_phone(value: str) -> language.Phone:
    try:
        if len(value) > MAX_RECIPIENT_LENGTH:
            raise language.InvalidPhoneNumberError(language.Problem.TOO_LONG)
        return language.validate_phone_number(value)
    except language.InvalidRecipientError as error:
        raise ApiError(
            language.recipient_error_message(error),
            error="InvalidPhoneError",
            french_message=error.french_message,
            field=RECIPIENT,
        ) from error


def _from_email(service: cache.ServiceSnapshot) -> str:
    local_part = language.email_local_part(service.sender_name)
    return f"{local_part}@{settings.EMAIL_SENDER_DOMAIN}"


def _format_sender(sms_sender: str) -> str:
    """A sender that is a phone number is shown in Notify's form (E.164
    without ``+``); a name is shown as it is."""
    try:
        return language.validate_phone_number(sms_sender).e164.lstrip("+")
    except language.InvalidRecipientError:
        return sms_sender


def _store(sender, accepted, to, personalisation, reply_to, content) -> None:
    for key, change in accepted.sanitised_content.items():
        personalisation[key] = change["sanitised"]
    notification_insert(
        id=accepted.id,
        service_id=sender.service.id,
        template_id=accepted.template.id,
        template_version_id=accepted.template.version_id,
        api_key_id=sender.api_key_id,
        key_type=sender.key_type,
        channel=accepted.channel,
        recipient=to.given,
        normalised_recipient=to.normalised,
        personalisation=personalisation,
        sanitised_keys=list(accepted.sanitised_content),
        client_reference=accepted.client_reference,
        reply_to=reply_to,
        one_click_unsubscribe_url=accepted.one_click_unsubscribe_url or "",
        international=to.international,
        billable_units=getattr(content, "fragment_count", 0),
        created_by_id=sender.created_by_id,
    )
    logger.info(
        "Notification %s accepted",
        accepted.id,
        extra={
            "notification_id": str(accepted.id),
            "service_id": sender.service.id,
            "key_type": sender.key_type,
        },
    )
    kinds = [accepted.channel] + (["international_sms"] if to.international else [])
    transaction.on_commit(
        functools.partial(
            _after_commit,
            notification_id=accepted.id,
            channel=accepted.channel,
            service_id=sender.service.id,
            key_type=sender.key_type,
            kinds=kinds,
        )
    )


def _after_commit(*, notification_id, channel, service_id, key_type, kinds) -> None:
    delivery_tasks.queue_delivery(notification_id=notification_id, channel=channel)
    limits.count_sent(service_id=service_id, key_type=key_type, kinds=kinds)
