"""Notify's admin routes that its client libraries still call.

notifications-python-client's ``get_all_template_versions`` asks for
``GET service/{service_id}/template/{template_id}/versions``, a route of
Notify's internal admin API that only Notify's own admin app may use: a
service's key gets 401 in the admin API's envelope
(``{"result": "error", "message": {"token": [...]}}``). We have no admin
API; this route answers exactly that, so the client raises what it raises
against Notify.
"""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from ..authentication import refuse_admin_token
from .docs import METHOD_NOT_ALLOWED


@csrf_exempt
def template_versions(request, service_id, template_id):
    """GET service/{service_id}/template/{template_id}/versions"""
    if request.method not in ("GET", "HEAD"):
        return JsonResponse(
            {"result": "error", "message": METHOD_NOT_ALLOWED}, status=405
        )

    error = refuse_admin_token(request.META.get("HTTP_AUTHORIZATION", ""))

    return JsonResponse(
        {"result": "error", "message": {"token": [error.message]}},
        status=error.http_status,
    )
