"""The template language and recipient rules, as the API uses them.

The template language lives behind ``templates_app.rendering`` and the
recipient rules in ``notifications.recipients``. This module is the only
place the API touches them: it turns their errors into the two the accept
action needs (``ContentRejected``, ``MessageTooLong``), so the action can
report an over-long message after the recipient checks, in Notify's order.
"""

from django.conf import settings

from services.profile import InvalidMobileNumberError
from templates_app import rendering

from . import recipients

MissingPersonalisationError = rendering.MissingPersonalisationError
InvalidRecipientError = recipients.InvalidRecipientError
InvalidEmailAddressError = recipients.InvalidEmailAddressError
InvalidPhoneNumberError = recipients.InvalidPhoneNumberError
InternationalNumberNotAllowedError = recipients.InternationalNumberNotAllowedError
Problem = recipients.Problem
Phone = recipients.PhoneNumber


class _Refused(Exception):
    """``str(error)`` is Notify's API text, ``french_message`` the back
    office's (both taken from the template language's error)."""

    def __init__(self, error: rendering.RenderingError) -> None:
        super().__init__(str(error))
        self.french_message = error.french_message


class ContentRejected(_Refused):
    """The rendered message cannot be sent (empty, for example)."""


class MessageTooLong(_Refused):
    """The rendered message is over the channel's limit."""


def placeholders(*texts: str) -> list[str]:
    return rendering.placeholders(*texts)


def recipient_error_message(error: Exception) -> str:
    return getattr(error, "message", None) or str(error)


# Recipients --------------------------------------------------------------


def validate_email_address(value: str) -> str:
    return recipients.validate_email_address(value)


def validate_phone_number(value: str) -> recipients.PhoneNumber:
    """Validate a number (international numbers allowed; the caller checks
    the service's permission); raise ``InvalidRecipientError``."""
    return recipients.validate_phone_number(value, allow_international=True)


def mobile_number_for_user(value: str) -> str:
    """A back-office user's own mobile number in E.164 form (international
    numbers allowed: a send checks the service's permission); raise
    ``services.profile.InvalidMobileNumberError`` with the French reason."""
    try:
        return validate_phone_number(value).e164
    except InvalidRecipientError as error:
        raise InvalidMobileNumberError(error.french_message) from error


def normalise_for_matching(channel: str, value: str) -> str:
    """The form used to compare a recipient with the team and guest list:
    E.164 digits for numbers, lowercase for addresses; the stripped value
    when it does not parse (it then matches nothing valid)."""
    value = (value or "").strip()
    try:
        if channel == "email":
            return validate_email_address(value)
        return validate_phone_number(value).e164.lstrip("+")
    except InvalidRecipientError:
        return value.lower()


def is_simulated_recipient(channel: str, normalised: str) -> bool:
    if channel == "email":
        return recipients.is_simulated_email_address(
            normalised, sender_domain=settings.EMAIL_SENDER_DOMAIN
        )
    return recipients.is_simulated_phone_number(normalised)


# Rendering ---------------------------------------------------------------


def render_email(
    *,
    subject: str,
    body: str,
    personalisation: dict,
    service_name: str = "",
    sanitise_content_for: list[str] | None = None,
    with_html: bool = False,
) -> rendering.RenderedEmail:
    """Render an email; ``MissingPersonalisationError`` passes through, an
    empty message raises ``ContentRejected``, an over-long one
    ``MessageTooLong``."""
    try:
        return rendering.render_email(
            subject=subject,
            body=body,
            personalisation=personalisation,
            service_name=service_name,
            sanitise_content_for=sanitise_content_for,
            with_html=with_html,
        )
    except rendering.EmptyMessageError as error:
        raise ContentRejected(error) from error
    except rendering.MessageTooLongError as error:
        raise MessageTooLong(error) from error


def render_sms(
    *, body: str, personalisation: dict, prefix: str = ""
) -> rendering.RenderedSms:
    """Render an SMS; errors as for ``render_email``."""
    try:
        return rendering.render_sms(
            body=body, personalisation=personalisation, prefix=prefix
        )
    except rendering.EmptyMessageError as error:
        raise ContentRejected(error) from error
    except rendering.MessageTooLongError as error:
        raise MessageTooLong(error) from error


def email_local_part(name: str) -> str:
    return rendering.email_local_part(name)
