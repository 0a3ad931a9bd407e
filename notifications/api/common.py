"""What every public API view shares: authentication, Notify's routing
behaviour, datetimes, links and path-parameter checks."""

import datetime as dt
import uuid

from django.conf import settings
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
