"""What every public API view shares: authentication, Notify's routing
behaviour, datetimes, links and path-parameter checks."""

import datetime as dt
import io
import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from config.api import ValidationError

from ..authentication import ApiCaller, ApiKeyAuthentication

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class JsonOnly(BaseContentNegotiation):
    """Always answer JSON, whatever ``Accept`` says (Notify ignores it)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return (renderers[0], renderers[0].media_type)


class PublicApi(APIView):
    """Base of the v2 endpoints: authenticated by an API key."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes: list = []
    content_negotiation_class = JsonOnly

    def initial(self, request, *args, **kwargs):
        # Notify's router refuses an unknown method before authenticating.
        if not hasattr(self, request.method.lower()) or request.method == "OPTIONS":
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    @property
    def caller(self) -> ApiCaller:
        return self.request.auth


def request_body(request) -> bytes:
    """The raw body, read with the API's limit (``API_MAX_BODY_BYTES``)
    rather than ``DATA_UPLOAD_MAX_MEMORY_SIZE``, which stays the back
    office's: Notify's limits need more room (a 2 MB file is about 2.8 MB
    of base64), and the body is never parsed as a form."""
    django_request = request._request
    # ``HttpRequest.body`` keeps the body there once read: later reads (of
    # ``request.body`` too) see the same bytes without the form's limit.
    if not hasattr(django_request, "_body"):
        try:
            length = int(django_request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.API_MAX_BODY_BYTES:
            raise RequestDataTooBig("Request body too large")
        django_request._body = django_request.read()
        django_request._stream = io.BytesIO(django_request._body)
    return django_request._body


def format_datetime(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime(DATETIME_FORMAT)


def base_url(request) -> str:
    """The root the API's links start from, without a trailing slash."""
    configured = settings.PUBLIC_API_BASE_URL.rstrip("/")
    return configured or request.build_absolute_uri("/").rstrip("/")


def path_uuid(value: str, name: str) -> uuid.UUID:
    """A UUID from the path, or Notify's validation error for it."""
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise ValidationError(f"{name} is not a valid UUID") from error
