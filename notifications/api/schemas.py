"""Request schemas (GOV.UK Notify's, Draft 7) and response schemas.

The request schemas validate requests (``validation.validate``) and, turned
into OpenAPI by ``to_openapi``, document them: one source for both.
"""

import copy

from ..statuses import NotificationStatus

DRAFT_7 = "http://json-schema.org/draft-07/schema#"

UUID = {
    "type": "string",
    "format": "validate_uuid",
    "validationMessage": "is not a valid UUID",
}
NULLABLE_UUID = {
    "type": ["string", "null"],
    "format": "validate_uuid",
    "validationMessage": "is not a valid UUID",
}
PERSONALISATION = {
    "type": "object",
    "description": "Values of the template's placeholders, by name.",
}
REFERENCE = {
    "type": "string",
    "maxLength": 1000,
    "description": "Your own identifier for this notification.",
}
SCHEDULED_FOR = {
    "type": ["string", "null"],
    "format": "datetime_within_next_day",
    "description": "Accepted and ignored, as GOV.UK Notify does; it must be "
    "within the next 24 hours (a time without an offset is UTC).",
}

POST_EMAIL_REQUEST = {
    "$schema": DRAFT_7,
    "title": "POST email notification",
    "type": "object",
    "properties": {
        "reference": REFERENCE,
        "email_address": {"type": "string", "format": "email_address"},
        "template_id": UUID,
        "personalisation": PERSONALISATION,
        "scheduled_for": SCHEDULED_FOR,
        "email_reply_to_id": UUID,
        "one_click_unsubscribe_url": {
            "type": "string",
            "format": "https_url",
            "maxLength": 2048,
            "validationMessage": "is not a valid https url",
        },
        "sanitise_content_for": {
            # Notify's schema constrains only the type: any item is taken
            # as a key (a key that is not a string names nothing).
            "type": ["array", "null"],
            "items": {},
            "description": "Personalisation keys whose values are made safe: "
            "links removed and markdown characters escaped.",
        },
    },
    "required": ["email_address", "template_id"],
    "additionalProperties": False,
}

POST_SMS_REQUEST = {
    "$schema": DRAFT_7,
    "title": "POST sms notification",
    "type": "object",
    "properties": {
        "reference": REFERENCE,
        "phone_number": {"type": "string", "format": "phone_number"},
        "template_id": UUID,
        "personalisation": PERSONALISATION,
        "scheduled_for": SCHEDULED_FOR,
        "sms_sender_id": UUID,
    },
    "required": ["phone_number", "template_id"],
    "additionalProperties": False,
}

POST_LETTER_REQUEST = {
    "$schema": DRAFT_7,
    "title": "POST letter notification",
    "type": "object",
    "properties": {
        "reference": REFERENCE,
        "template_id": UUID,
        "personalisation": PERSONALISATION,
    },
    "required": ["template_id", "personalisation"],
    "additionalProperties": False,
}

POST_PRECOMPILED_LETTER_REQUEST = {
    "$schema": DRAFT_7,
    "title": "POST precompiled letter notification",
    "type": "object",
    "properties": {
        "reference": {"type": "string"},
        "content": {"type": "string"},
        "postage": {"type": "string", "format": "postage"},
    },
    "required": ["reference", "content"],
    "additionalProperties": False,
}

NOTIFICATION_BY_ID = {
    "$schema": DRAFT_7,
    "type": "object",
    "properties": {"notification_id": UUID},
    "required": ["notification_id"],
}

TEMPLATE_BY_ID = {
    "$schema": DRAFT_7,
    "type": "object",
    "properties": {"id": UUID, "version": {"type": ["integer", "null"]}},
    "required": ["id"],
}

LIST_STATUSES = [
    "cancelled",
    "created",
    "sending",
    "sent",
    "delivered",
    "pending",
    "failed",
    "technical-failure",
    "temporary-failure",
    "permanent-failure",
    "pending-virus-check",
    "validation-failed",
    "virus-scan-failed",
    "returned-letter",
    "accepted",
    "received",
]
TEMPLATE_TYPES = ["sms", "email", "letter"]

GET_NOTIFICATIONS_REQUEST = {
    "$schema": DRAFT_7,
    "type": "object",
    "properties": {
        "reference": {"type": "string"},
        "status": {"type": "array", "items": {"enum": LIST_STATUSES}},
        "template_type": {"type": "array", "items": {"enum": TEMPLATE_TYPES}},
        "include_jobs": {"enum": ["true", "True"]},
        "older_than": UUID,
    },
    "additionalProperties": False,
}

GET_TEMPLATES_REQUEST = {
    "$schema": DRAFT_7,
    "type": "object",
    "properties": {"type": {"enum": TEMPLATE_TYPES}},
    "additionalProperties": False,
}

GET_RECEIVED_TEXTS_REQUEST = {
    "$schema": DRAFT_7,
    "type": "object",
    "properties": {"older_than": UUID},
    "additionalProperties": False,
}

POST_TEMPLATE_PREVIEW_REQUEST = {
    "$schema": DRAFT_7,
    "type": "object",
    "properties": {"id": UUID, "personalisation": {"type": "object"}},
    "required": ["id"],
}


# OpenAPI -----------------------------------------------------------------

_OPENAPI_FORMATS = {
    "validate_uuid": "uuid",
    "email_address": "email",
    "https_url": "uri",
    "datetime_within_next_day": "date-time",
}


def to_openapi(schema: dict) -> dict:
    """The OpenAPI 3.0 form of a Notify request schema."""
    result = copy.deepcopy(schema)
    _convert(result)
    return result


def _convert(node) -> None:
    if isinstance(node, list):
        for item in node:
            _convert(item)
    elif isinstance(node, dict):
        _convert_keywords(node)
        for value in node.values():
            _convert(value)


def _convert_keywords(node: dict) -> None:
    for name in ("$schema", "validationMessage", "title"):
        node.pop(name, None)
    if node.get("format") in _OPENAPI_FORMATS:
        node["format"] = _OPENAPI_FORMATS[node["format"]]
    elif node.get("format") in ("phone_number", "postage"):
        node.pop("format")
    kinds = node.get("type")
    if isinstance(kinds, list):
        # OpenAPI 3.0 has one type and "nullable" where JSON Schema lists
        # "null" among the types.
        node["type"] = next(kind for kind in kinds if kind != "null")
        node["nullable"] = "null" in kinds
    if "enum" in node and "type" not in node:
        node["type"] = "string"


def _nullable(kind: str, **extra) -> dict:
    return {"type": kind, "nullable": True, **extra}


STRING = {"type": "string"}
DATETIME = {"type": "string", "format": "date-time"}
UUID_OUT = {"type": "string", "format": "uuid"}


def _object(properties: dict, *, optional: tuple = ()) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


# A sanitised personalisation value: a string, or a list (of strings, or of
# other values left as they were, lists included) for a list placeholder.
SANITISED_VALUE = {
    "oneOf": [STRING, {"type": "array", "items": {}}],
    "description": "As sent (a string or a list); in a list, only strings change.",
}

TEMPLATE_REFERENCE = _object(
    {"id": UUID_OUT, "version": {"type": "integer"}, "uri": STRING}
)

EMAIL_CREATED = _object(
    {
        "id": UUID_OUT,
        "reference": _nullable("string"),
        "content": _object(
            {
                "from_email": STRING,
                "body": STRING,
                "subject": STRING,
                "one_click_unsubscribe_url": _nullable("string"),
            }
        ),
        "uri": STRING,
        "template": TEMPLATE_REFERENCE,
        "scheduled_for": _nullable("string"),
        "sanitised_content": {
            "type": "object",
            "additionalProperties": _object(
                {"unsanitised": SANITISED_VALUE, "sanitised": SANITISED_VALUE}
            ),
        },
    }
)

SMS_CREATED = _object(
    {
        "id": UUID_OUT,
        "reference": _nullable("string"),
        "content": _object({"body": STRING, "from_number": STRING}),
        "uri": STRING,
        "template": TEMPLATE_REFERENCE,
        "scheduled_for": _nullable("string"),
    }
)

NOTIFICATION_STATUSES = [status.value for status in NotificationStatus]

NOTIFICATION = _object(
    {
        "id": UUID_OUT,
        "reference": _nullable("string"),
        "email_address": _nullable("string"),
        "phone_number": _nullable("string"),
        **{f"line_{n}": _nullable("string") for n in range(1, 7)},
        "postcode": _nullable("string"),
        "type": {"type": "string", "enum": ["email", "sms"]},
        "status": {"type": "string", "enum": NOTIFICATION_STATUSES},
        "template": TEMPLATE_REFERENCE,
        "body": STRING,
        "subject": _nullable("string"),
        "created_at": DATETIME,
        "created_by_name": _nullable("string"),
        "sent_at": _nullable("string", format="date-time"),
        "completed_at": _nullable("string", format="date-time"),
        "scheduled_for": _nullable("string"),
        "postage": _nullable("string"),
        "one_click_unsubscribe_url": _nullable("string"),
        "is_cost_data_ready": {"type": "boolean"},
        "cost_in_pounds": _nullable("number"),
        "cost_details": {"type": "object"},
    }
)

LINKS = _object({"current": STRING, "next": STRING}, optional=("next",))

NOTIFICATION_LIST = _object(
    {"notifications": {"type": "array", "items": NOTIFICATION}, "links": LINKS}
)

TEMPLATE = _object(
    {
        "id": UUID_OUT,
        "type": {"type": "string", "enum": ["email", "sms"]},
        "created_at": DATETIME,
        "updated_at": _nullable("string", format="date-time"),
        "created_by": _nullable("string"),
        "version": {"type": "integer"},
        "body": STRING,
        "subject": _nullable("string"),
        "name": STRING,
        "personalisation": {
            "type": "object",
            "additionalProperties": _object({"required": {"type": "boolean"}}),
        },
        "postage": _nullable("string"),
        "letter_contact_block": _nullable("string"),
    }
)

TEMPLATE_LIST = _object({"templates": {"type": "array", "items": TEMPLATE}})

TEMPLATE_PREVIEW = _object(
    {
        "id": UUID_OUT,
        "type": {"type": "string", "enum": ["email", "sms"]},
        "version": {"type": "integer"},
        "body": STRING,
        "html": _nullable("string"),
        "subject": _nullable("string"),
        "postage": _nullable("string"),
    }
)

RECEIVED_TEXT_MESSAGE = _object(
    {
        "id": UUID_OUT,
        "created_at": DATETIME,
        "service_id": UUID_OUT,
        "notify_number": STRING,
        "user_number": STRING,
        "content": STRING,
    }
)

RECEIVED_TEXT_LIST = _object(
    {
        "received_text_messages": {"type": "array", "items": RECEIVED_TEXT_MESSAGE},
        "links": LINKS,
    }
)
