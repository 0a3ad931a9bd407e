"""Shared API plumbing: the error envelope of GOV.UK Notify's v2 API.

Every error leaves as
``{"status_code": 400, "errors": [{"error": "BadRequestError",
"message": "…"}]}``; views and actions just raise an ``ApiError``.
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """Base of every error the public API reports to its caller.

    ``message`` is GOV.UK Notify's English text, the only one the API ever
    shows. The back office sends through the same actions and shows
    ``french_message`` instead, next to the form ``field`` it concerns
    (``recipient``, ``personalisation``, ``template``, ``reply_to``;
    ``None`` for the request as a whole). Neither changes the API output.
    """

    http_status = 400
    error = "BadRequestError"

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        error: str | None = None,
        french_message: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.french_message = french_message
        self.field = field
        if http_status is not None:
            self.http_status = http_status
        if error is not None:
            self.error = error

    def entries(self) -> list[dict]:
        return [{"error": self.error, "message": self.message}]


class BadRequestError(ApiError):
    """A well-formed request that breaks a rule (400)."""


class ValidationError(ApiError):
    """One or more schema errors, each reported as its own entry (400)."""

    error = "ValidationError"

    def __init__(self, messages: list[str] | str) -> None:
        if isinstance(messages, str):
            messages = [messages]
        super().__init__("; ".join(messages))
        self.messages = list(dict.fromkeys(messages))

    def entries(self) -> list[dict]:
        return [{"error": self.error, "message": message} for message in self.messages]


class AuthError(ApiError):
    """Missing or wrong credentials (401 or 403)."""

    error = "AuthError"
    http_status = 403


class NotFoundError(ApiError):
    """Nothing of this service has that id (404)."""

    error = "NoResultFound"
    http_status = 404

    def __init__(self, message: str = "No result found") -> None:
        super().__init__(message)


class RateLimitError(ApiError):
    """The per-minute token bucket is empty (429)."""

    error = "RateLimitError"
    http_status = 429

    def __init__(
        self,
        message: str,
        *,
        retry_after: int = 1,
        french_message: str | None = None,
    ) -> None:
        super().__init__(message, french_message=french_message)
        self.retry_after = retry_after


class TooManyRequestsError(RateLimitError):
    """The daily limit of a channel is reached (429)."""

    error = "TooManyRequestsError"


NOT_FOUND = (
    "The requested URL was not found on the server. If you entered the URL "
    "manually please check your spelling and try again."
)


def envelope(http_status: int, entries: list[dict]) -> dict:
    return {"status_code": http_status, "errors": entries}


def error_response(error: ApiError) -> Response:
    response = Response(envelope(error.http_status, error.entries()), error.http_status)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def exception_handler(exc, context) -> Response:
    """Render every exception raised under the API in Notify's envelope."""
    if isinstance(exc, ApiError):
        return error_response(exc)
    if isinstance(exc, drf_exceptions.ParseError):
        return error_response(BadRequestError("Invalid JSON supplied in POST data"))
    if isinstance(exc, Http404 | drf_exceptions.NotFound):
        return Response({"result": "error", "message": NOT_FOUND}, status=404)
    if isinstance(exc, RequestDataTooBig):
        return error_response(ApiError("Request body too large", http_status=413))
    if isinstance(exc, drf_exceptions.MethodNotAllowed):
        message = "The method is not allowed for the requested URL."
        return Response({"result": "error", "message": message}, status=405)
    if isinstance(
        exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed
    ):
        return error_response(AuthError(str(exc.detail), http_status=401))
    if isinstance(exc, drf_exceptions.Throttled):
        return error_response(RateLimitError(str(exc.detail)))
    if isinstance(exc, drf_exceptions.APIException):
        return error_response(ApiError(str(exc.detail), http_status=exc.status_code))

    view = context.get("view")
    logger.exception("Unexpected error in %s", type(view).__name__)
    return Response(
        envelope(
            500, [{"error": type(exc).__name__, "message": "Internal server error"}]
        ),
        status=500,
    )
