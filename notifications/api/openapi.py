"""The OpenAPI document: authentication schemes, the error envelope and the
responses every operation may give."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter

ERROR_ENVELOPE = {
    "type": "object",
    "description": "Every error of the API (GOV.UK Notify's v2 envelope). "
    "`status_code` repeats the HTTP status; `errors` lists each problem, "
    "with Notify's error name and message.",
    "properties": {
        "status_code": {"type": "integer"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "string",
                        "example": "BadRequestError",
                        "description": "AuthError, BadRequestError, ValidationError, "
                        "NoResultFound, RateLimitError, TooManyRequestsError, "
                        "InvalidPhoneError, ConflictError, "
                        "UnprocessableEntityError, or the class of an internal "
                        "error (500).",
                    },
                    "message": {"type": "string"},
                },
                "required": ["error", "message"],
            },
        },
    },
    "required": ["status_code", "errors"],
}

ROUTING_ERROR = {
    "type": "object",
    "description": "An unknown URL (404) or method (405), answered as Notify's "
    "router answers them.",
    "properties": {"result": {"type": "string"}, "message": {"type": "string"}},
    "required": ["result", "message"],
}

# Response headers of the sending operations.
RETRY_AFTER = OpenApiParameter(
    name="Retry-After",
    location=OpenApiParameter.HEADER,
    response=[429],
    required=True,
    type={"type": "integer", "minimum": 1},
    description="Seconds before the limit lets a request through again: the "
    "bucket's next token, or the next midnight (Europe/Paris) for a daily limit.",
)
IDEMPOTENT_REPLAYED = OpenApiParameter(
    name="Idempotent-Replayed",
    location=OpenApiParameter.HEADER,
    response=[201],
    required=False,
    type={"type": "string", "enum": ["true"]},
    description="Present when the answer is the one given to the first request "
    "with this Idempotency-Key: nothing was sent again.",
)

_ENVELOPE = {"$ref": "#/components/schemas/ErrorEnvelope"}
_ROUTING = {"$ref": "#/components/schemas/RoutingError"}


def _error(description: str, schema: dict = _ENVELOPE):
    from drf_spectacular.utils import OpenApiResponse

    return OpenApiResponse(response=schema, description=description)


def responses(
    status: int | None, schema: dict | None, *, sending=False, not_found=False
) -> dict:
    """The documented responses of an operation: its success (if any) and
    every error it may answer."""
    documented = {}
    if status is not None:
        documented[status] = schema
    documented[400] = _error("Invalid request (ValidationError, BadRequestError)")
    documented[401] = _error("No credentials, or not a Bearer/ApiKey-v1 scheme")
    documented[403] = _error("Credentials refused (AuthError)")
    documented[404] = _error(
        "No such object for this service (NoResultFound), or an unknown URL",
        {"oneOf": [_ENVELOPE, _ROUTING]} if not_found else _ROUTING,
    )
    documented[405] = _error("Method not allowed", _ROUTING)
    if sending:
        documented[409] = _error("A request with this Idempotency-Key is running")
        documented[413] = _error("Request body too large")
        documented[422] = _error("Idempotency-Key used for another request")
        documented[429] = _error(
            "Rate limit (RateLimitError) or daily limit (TooManyRequestsError) "
            "reached; see the Retry-After header"
        )
    documented[500] = _error("Internal server error")
    return documented


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "notifications.authentication.ApiKeyAuthentication"
    name = ["bearerJwt", "apiKeyV1"]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "A JWT signed with HS256 by the API key's secret "
                "(its last 36 characters), with the claims `iss` (the service "
                "id, the 36 characters before the secret) and `iat` (the "
                "current time in seconds; ours must be within 30 seconds). "
                "Make a new token for each request, as Notify's clients do.",
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "`ApiKey-v1 <the whole API key>`, for tools that "
                "cannot sign a JWT.",
            },
        ]


def only_public_api(endpoints):
    """Keep the v2 API in the document (the back office is not part of it)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/v2/")]


DESCRIPTIONS = {
    "send_email": "Checks, in this order: credentials, rate limit, daily "
    "limit, the body, the service's permission, the template, the "
    "personalisation, the reply-to address, the recipient (team keys and "
    "trial mode: team and guest list only), files to download (not offered: "
    "refused as Notify refuses a service that has not set them up), the "
    "message's length. With an `Idempotency-Key`, a request answered already "
    "is replayed before the rate limit. "
    "Simulated recipients are answered 201 and never stored nor sent; "
    "test keys are stored and given simulated outcomes, never sent.",
    "send_sms": "As for emails, with the SMS sender instead of the reply-to "
    "address; international numbers need the service's permission.",
    "get_notification": "Any notification of the service, whatever the key "
    "type that sent it, until its retention period ends.",
    "get_template": "Archived templates are returned too.",
    "get_template_version": "Version 0 means the latest version.",
    "post_template_preview": "The template rendered with the personalisation "
    "given (every placeholder needs a value).",
}


def postprocess(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorEnvelope"] = ERROR_ENVELOPE
    schemas["RoutingError"] = ROUTING_ERROR
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            name = operation.get("operationId")
            if name in DESCRIPTIONS:
                operation["description"] = DESCRIPTIONS[name]
            # Either scheme is enough: one requirement object each (OR).
            operation["security"] = [
                {scheme: scopes}
                for requirement in operation.get("security", [])
                for scheme, scopes in requirement.items()
            ]
    return result
