"""Request validation with GOV.UK Notify's JSON schemas and messages.

Notify validates with JSON Schema (Draft 7) and words each error from the
failing keyword: ``"{first path element} {message}"`` with every ``'``
removed, or the sub-schema's ``validationMessage`` when it has one. Every
error is reported, deduplicated, in the order the validator finds them.
"""

import datetime as dt
import json
import re
import urllib.parse
import uuid

from django.conf import settings
from django.utils import timezone
from jsonschema import Draft7Validator, FormatChecker

from config.api import BadRequestError, ValidationError

from .. import language

INVALID_JSON = "Invalid JSON supplied in POST data"
ISO8601_ERROR = (
    "datetime format is invalid. It must be a valid ISO8601 date time format, "
    "https://en.wikipedia.org/wiki/ISO_8601"
)
# PostgreSQL cannot store NUL characters or lone surrogates.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")

format_checker = FormatChecker(formats=())


class FormatError(Exception):
    """A format check failed; its text becomes the error message."""


@format_checker.checks("validate_uuid", raises=(ValueError, TypeError))
def _is_uuid(value) -> bool:
    if isinstance(value, str):
        uuid.UUID(value)
    return True


@format_checker.checks("email_address", raises=FormatError)
def _is_email_address(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        language.validate_email_address(value)
    except language.InvalidRecipientError as error:
        raise FormatError(language.recipient_error_message(error)) from error
    return True


@format_checker.checks("phone_number", raises=FormatError)
def _is_phone_number(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        language.validate_phone_number(value)
    except language.InvalidRecipientError as error:
        raise FormatError(language.recipient_error_message(error)) from error
    return True


@format_checker.checks("https_url")
def _is_https_url(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urllib.parse.urlsplit(value)
    return parts.scheme == "https" and bool(parts.netloc) and " " not in value


@format_checker.checks("datetime_within_next_day", raises=FormatError)
def _is_within_next_day(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise FormatError(ISO8601_ERROR) from error
    if timezone.is_naive(moment):
        # Notify reads a time without an offset as UTC. A time with one is
        # converted (Notify's code drops the offset instead; see README).
        moment = moment.replace(tzinfo=dt.UTC)
    now = timezone.now()
    if moment < now:
        raise FormatError("datetime can not be in the past")
    if moment > now + dt.timedelta(hours=24):
        raise FormatError("datetime can only be 24 hours in the future")
    return True


@format_checker.checks("postage", raises=FormatError)
def _is_postage(value) -> bool:
    if value not in ("first", "second", "economy"):
        raise FormatError("invalid. It must be either first, second or economy.")
    return True


def _message(error) -> str:
    path = error.path[0] if error.path else None
    if "validationMessage" in error.schema and path is not None:
        return f"{path} {error.schema['validationMessage']}".strip()
    text = str(error.cause) if error.cause else error.message
    text = text.replace("'", "")
    return f"{path} {text}" if path is not None else text


# Validators by schema, built once: schemas are module constants.
_validators: dict[int, tuple[dict, Draft7Validator]] = {}


def _validator(schema: dict) -> Draft7Validator:
    known = _validators.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    validator = Draft7Validator(schema, format_checker=format_checker)
    _validators[id(schema)] = (schema, validator)
    return validator


def validate(data, schema: dict) -> dict:
    """Validate ``data`` against a Notify schema; raise ``ValidationError``
    with every problem."""
    validator = _validator(schema)
    messages = [_message(error) for error in validator.iter_errors(data)]
    if messages:
        raise ValidationError(messages)
    _reject_unstorable(data)
    return data


def _reject_unstorable(data, path: str | None = None) -> None:
    if isinstance(data, str):
        if _UNSTORABLE.search(data):
            raise ValidationError(
                f"{path or 'body'} must not contain NUL characters or lone surrogates"
            )
    elif isinstance(data, dict):
        for key, value in data.items():
            _reject_unstorable(key, path or str(key))
            _reject_unstorable(value, path or str(key))
    elif isinstance(data, list):
        for item in data:
            _reject_unstorable(item, path)


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes, *, allow_empty: bool = False) -> dict:
    """Parse a POST body whatever its Content-Type, as Notify does; JSON
    ``null`` is an empty object."""
    if allow_empty and not raw.strip():
        return {}
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except (ValueError, RecursionError) as error:
        raise BadRequestError(INVALID_JSON) from error
    return {} if data is None else data


def fingerprint_body(raw: bytes) -> str:
    """A canonical form of a body (key order and spacing do not matter)."""
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except (ValueError, RecursionError):
        return raw.decode("utf-8", errors="replace")
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def page_size() -> int:
    return settings.API_PAGE_SIZE
