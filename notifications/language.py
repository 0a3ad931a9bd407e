"""The template language and recipient rules, as the API uses them.

Issue #3 writes the template language behind ``templates_app.rendering``
and ``notifications.recipients``. This module is the only place the API
touches them: it calls their final interface and turns their errors into
the two the accept action needs (``ContentRejected``, ``MessageTooLong``).

TODO(#4): until #3 lands on main, the first cut lacks part of that
interface (phone numbers, message length, empty messages, sanitising,
simulated recipients); the ``_fallback_*`` functions stand in for it and go
away once main has it. Each is used only when the real one is missing.
"""

import dataclasses
import inspect
import re
from dataclasses import dataclass

import phonenumbers

from templates_app import rendering

from . import recipients

SMS_CHARACTER_LIMIT = 918
EMAIL_BYTE_LIMIT = 2_000_000
EMPTY_MESSAGE = "Your message is empty."

MissingPersonalisationError = rendering.MissingPersonalisationError
InvalidRecipientError = recipients.InvalidRecipientError


class ContentRejected(Exception):
    """The rendered message cannot be sent (empty, for example)."""


class MessageTooLong(Exception):
    """The rendered message is over the channel's limit."""


@dataclass(frozen=True)
class Phone:
    e164: str
    international: bool
    country_code: int


def placeholders(*texts: str) -> list[str]:
    return rendering.placeholders(*texts)


def recipient_error_message(error: Exception) -> str:
    return getattr(error, "message", None) or str(error)


# Recipients --------------------------------------------------------------


def validate_email_address(value: str) -> str:
    return recipients.validate_email_address(value)


def validate_phone_number(value: str) -> Phone:
    """Validate a number (international numbers allowed; the caller checks
    the service's permission); raise ``InvalidRecipientError``."""
    validate = getattr(recipients, "validate_phone_number", None)
    if validate is None:
        return _fallback_validate_phone_number(value)
    number = validate(value, allow_international=True)
    return Phone(
        e164=number.e164,
        international=bool(number.international),
        country_code=int(number.country_code),
    )


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
    name = "is_simulated_email" if channel == "email" else "is_simulated_phone_number"
    predicate = getattr(recipients, name, None)
    if predicate is not None:
        return bool(predicate(normalised))
    if channel == "email":
        return normalised.lower() in _FALLBACK_SIMULATED_EMAILS
    return normalised in _FALLBACK_SIMULATED_NUMBERS


# Rendering ---------------------------------------------------------------


def render_email(
    *,
    subject: str,
    body: str,
    personalisation: dict,
    service_name: str = "",
    sanitise_content_for: list[str] | None = None,
    unsubscribe_url: str = "",
    with_html: bool = False,
):
    """Render an email; ``MissingPersonalisationError`` passes through,
    an over-long message raises ``MessageTooLong``."""
    render = rendering.render_email
    if "sanitise_content_for" in inspect.signature(render).parameters:
        rendered = render(
            subject=subject,
            body=body,
            personalisation=personalisation,
            service_name=service_name,
            sanitise_content_for=sanitise_content_for,
            unsubscribe_url=unsubscribe_url,
            with_html=with_html,
        )
        sanitised = dict(getattr(rendered, "sanitised_content", None) or {})
    else:
        personalisation, sanitised = _fallback_sanitise(
            personalisation, sanitise_content_for
        )
        rendered = render(subject=subject, body=body, personalisation=personalisation)
    size = len(rendered.body.encode("utf-8"))
    if size > EMAIL_BYTE_LIMIT:
        raise MessageTooLong(
            "Your message is too long. Emails cannot be longer than "
            f"{EMAIL_BYTE_LIMIT} bytes. Your message is {size} bytes."
        )
    return RenderedEmail(
        subject=rendered.subject,
        body=rendered.body,
        html=rendered.html if with_html else "",
        sanitised_content=sanitised,
    )


def render_sms(*, body: str, personalisation: dict, prefix: str = ""):
    """Render an SMS; ``MissingPersonalisationError`` passes through, an
    empty message raises ``ContentRejected`` and an over-long one
    ``MessageTooLong`` (after the message is known not to be empty)."""
    too_long = getattr(rendering, "MessageTooLongError", None)
    try:
        rendered = rendering.render_sms(
            body=body, personalisation=personalisation, prefix=prefix
        )
    except MissingPersonalisationError:
        raise
    except Exception as error:
        # #3 signals an empty message with an error whose text is Notify's
        # message; its class is not part of the interface.
        if str(error) == EMPTY_MESSAGE:
            raise ContentRejected(EMPTY_MESSAGE) from error
        if too_long is not None and isinstance(error, too_long):
            raise MessageTooLong(str(error)) from error
        raise
    if not rendered.body.strip():
        raise ContentRejected(EMPTY_MESSAGE)
    if too_long is None:
        _fallback_check_sms_length(rendered, prefix)
    return RenderedSms(
        body=rendered.body,
        fragment_count=rendered.fragment_count,
    )


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str
    html: str
    sanitised_content: dict = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class RenderedSms:
    body: str
    fragment_count: int


def email_local_part(name: str) -> str:
    return rendering.email_local_part(name)


# Fallbacks until #3 lands ------------------------------------------------

_FALLBACK_SIMULATED_EMAILS = frozenset(
    {
        "simulate-delivered@notifications.service.gov.uk",
        "simulate-delivered-2@notifications.service.gov.uk",
        "simulate-delivered-3@notifications.service.gov.uk",
    }
)
_FALLBACK_SIMULATED_NUMBERS = frozenset(
    {"+447700900000", "+447700900111", "+447700900222"}
)
# France and its overseas departments are not "international".
_FALLBACK_DOMESTIC_CODES = frozenset({33, 262, 269, 590, 594, 596})
_ALLOWED_PHONE_CHARACTERS = re.compile(r"^[\d\s()+\-.]*$")
_INVALID_NUMBER = "Number is not valid – double check the phone number you entered"
_POSSIBLE_REASONS = {
    phonenumbers.ValidationResult.TOO_LONG: "Too many digits",
    phonenumbers.ValidationResult.TOO_SHORT: "Not enough digits",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "Not enough digits",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "Not a valid country prefix",
    phonenumbers.ValidationResult.INVALID_LENGTH: _INVALID_NUMBER,
}
_BAD_PREFIX = "Not a valid country prefix"
_PARSE_ERRORS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: _BAD_PREFIX,
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "Not enough digits",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "Not enough digits",
    phonenumbers.NumberParseException.TOO_LONG: "Too many digits",
}
_MARKDOWN_CHARACTERS = re.compile(r"([`*_()\\{}\[\]<>#+\-.!|])")
_URL = re.compile(r"(https?://\S+|www\.\S+)", re.IGNORECASE)


def _fallback_validate_phone_number(value: str) -> Phone:
    raw = (value or "").strip()
    if not _ALLOWED_PHONE_CHARACTERS.match(raw):
        raise InvalidRecipientError("Must not contain letters or symbols")
    if not re.sub(r"\D", "", raw):
        raise InvalidRecipientError("Not enough digits")
    try:
        number = phonenumbers.parse(raw, "FR")
    except phonenumbers.NumberParseException as error:
        message = _PARSE_ERRORS.get(error.error_type, _INVALID_NUMBER)
        raise InvalidRecipientError(message) from error
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise InvalidRecipientError(_POSSIBLE_REASONS.get(reason, _INVALID_NUMBER))
    national = str(number.national_number)
    # Ofcom's numbers for drama (07700 900xxx) carry Notify's test numbers.
    drama = number.country_code == 44 and national.startswith("7700900")
    if not drama and not phonenumbers.is_valid_number(number):
        raise InvalidRecipientError(_INVALID_NUMBER)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(
        e164=e164,
        international=number.country_code not in _FALLBACK_DOMESTIC_CODES,
        country_code=number.country_code,
    )


def _fallback_sanitise(
    personalisation: dict, keys: list[str] | None
) -> tuple[dict, dict]:
    if not keys:
        return personalisation, {}
    wanted = {rendering.normalise_name(str(key)) for key in keys}
    values = dict(personalisation)
    changed = {}
    for key, value in personalisation.items():
        if rendering.normalise_name(str(key)) not in wanted or value is None:
            continue
        text = str(value)
        cleaned = _MARKDOWN_CHARACTERS.sub(r"\\\1", _URL.sub("", text))
        if cleaned != text:
            values[key] = cleaned
            changed[key] = {"unsanitised": text, "sanitised": cleaned}
    return values, changed


def _fallback_check_sms_length(rendered, prefix: str) -> None:
    count = len(rendered.body)
    if count > SMS_CHARACTER_LIMIT:
        raise MessageTooLong(
            "Your message is too long. Text messages cannot be longer than "
            f"{SMS_CHARACTER_LIMIT} characters. Your message is {count} "
            "characters long."
        )
