"""The OpenAPI document and its browsable page (served from our own static
files: no CDN)."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView

NOT_FOUND = (
    "The requested URL was not found on the server. If you entered the URL "
    "manually please check your spelling and try again."
)
METHOD_NOT_ALLOWED = "The method is not allowed for the requested URL."


class OpenApiDocumentView(SpectacularJSONAPIView):
    """GET /v2/openapi.json"""


class ApiDocumentationView(SpectacularRedocView):
    """GET /docs/api/"""

    url_name = "api-openapi"
    template_name = "notifications/api_docs.html"


@csrf_exempt
def unknown_api_route(request, *args, **kwargs):
    """Any other URL under /v2/ answers as Notify's router does."""
    return JsonResponse({"result": "error", "message": NOT_FOUND}, status=404)
