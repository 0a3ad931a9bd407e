"""GET /v2/notifications, /v2/notifications/{id} and its PDF."""

import urllib.parse

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.response import Response

from config.api import BadRequestError, NotFoundError

from .. import selectors
from . import openapi, outputs, schemas, validation
from .common import PublicApi, base_url, path_uuid

NOTIFICATION_ID = OpenApiParameter(
    "notification_id",
    location=OpenApiParameter.PATH,
    type={"type": "string", "format": "uuid"},
)
# Parameters Notify reads as single values; the others may repeat.
SINGLE_VALUED = ("reference", "older_than", "include_jobs")


@extend_schema_view(
    get=extend_schema(
        tags=["notifications"],
        operation_id="get_notification",
        summary="Get a notification's status",
        parameters=[NOTIFICATION_ID],
        responses=openapi.responses(200, schemas.NOTIFICATION, not_found=True),
    ),
    post=extend_schema(exclude=True),
)
class NotificationDetailApi(PublicApi):
    def get(self, request, notification_id: str):
        notification = selectors.notification_get(
            service_id=self.caller.service_id,
            notification_id=path_uuid(notification_id, "notification_id"),
        )
        if notification is None:
            raise NotFoundError()

        return Response(outputs.notification(base_url(request), notification))

    def post(self, request, notification_id: str):
        # Notify routes POST /v2/notifications/<type>; a type it does not
        # know is an unknown URL, answered once the caller is authenticated.
        raise Http404


def _list_arguments(query) -> dict:
    arguments = {name: query.getlist(name) for name in query}
    for name in SINGLE_VALUED:
        if name in arguments:
            arguments[name] = arguments[name][0]
    return validation.validate(arguments, schemas.GET_NOTIFICATIONS_REQUEST)


def _links(root: str, path: str, arguments: dict, last_id) -> dict:
    current = urllib.parse.urlencode(arguments, doseq=True)
    links = {"current": f"{root}{path}" + (f"?{current}" if current else "")}
    if last_id is not None:
        following = {k: v for k, v in arguments.items() if k != "older_than"}
        following["older_than"] = str(last_id)
        links["next"] = f"{root}{path}?" + urllib.parse.urlencode(following, doseq=True)
    return links


@extend_schema_view(
    get=extend_schema(
        tags=["notifications"],
        operation_id="get_notifications",
        summary="List notifications",
        description="Newest first, 250 a page, only those sent with the caller's "
        "key type. Follow `links.next` for the next page.",
        parameters=[
            OpenApiParameter(
                "template_type",
                type={
                    "type": "array",
                    "items": {"type": "string", "enum": ["sms", "email", "letter"]},
                },
                explode=True,
            ),
            OpenApiParameter(
                "status",
                type={
                    "type": "array",
                    "items": {"type": "string", "enum": schemas.LIST_STATUSES},
                },
                explode=True,
            ),
            OpenApiParameter("reference", type=str),
            OpenApiParameter("older_than", type={"type": "string", "format": "uuid"}),
            OpenApiParameter(
                "include_jobs", type={"type": "string", "enum": ["true", "True"]}
            ),
        ],
        responses=openapi.responses(200, schemas.NOTIFICATION_LIST),
    )
)
class NotificationListApi(PublicApi):
    def get(self, request):
        arguments = _list_arguments(request.query_params)
        reference = arguments.get("reference")
        older_than = arguments.get("older_than")

        notifications = selectors.notification_list(
            service_id=self.caller.service_id,
            key_type=self.caller.key_type,
            statuses=arguments.get("status"),
            channels=arguments.get("template_type"),
            client_reference=reference,
            older_than=path_uuid(older_than, "older_than") if older_than else None,
            include_jobs="include_jobs" in arguments,
            limit=validation.page_size(),
        )

        root = base_url(request)
        last_id = notifications[-1].id if notifications else None
        return Response(
            {
                "notifications": [outputs.notification(root, n) for n in notifications],
                "links": _links(root, "/v2/notifications", arguments, last_id),
            }
        )


@extend_schema_view(
    get=extend_schema(
        tags=["notifications"],
        operation_id="get_pdf_for_letter",
        summary="Get a letter's PDF (not offered)",
        description="Letters are not offered: an email or text message answers "
        "`Notification is not a letter`.",
        parameters=[NOTIFICATION_ID],
        responses=openapi.responses(None, None, not_found=True),
    )
)
class NotificationPdfApi(PublicApi):
    def get(self, request, notification_id: str):
        notification = selectors.notification_get(
            service_id=self.caller.service_id,
            notification_id=path_uuid(notification_id, "notification_id"),
        )
        if notification is None:
            raise NotFoundError()

        raise BadRequestError("Notification is not a letter")
