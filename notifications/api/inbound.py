"""GET /v2/received-text-messages."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.response import Response

from .. import selectors
from . import openapi, outputs, schemas, validation
from .common import PublicApi, base_url, path_uuid

PATH = "/v2/received-text-messages"


@extend_schema_view(
    get=extend_schema(
        tags=["received-text-messages"],
        operation_id="get_received_texts",
        summary="List received text messages",
        description="Newest first, 250 a page. Follow `links.next` for the next page.",
        parameters=[
            OpenApiParameter("older_than", type={"type": "string", "format": "uuid"})
        ],
        responses=openapi.responses(200, schemas.RECEIVED_TEXT_LIST),
    )
)
class ReceivedTextMessageListApi(PublicApi):
    def get(self, request):
        arguments = validation.validate(
            request.query_params.dict(), schemas.GET_RECEIVED_TEXTS_REQUEST
        )
        older_than = arguments.get("older_than")

        messages = selectors.received_text_message_list(
            service_id=self.caller.service_id,
            older_than=path_uuid(older_than, "older_than") if older_than else None,
            limit=validation.page_size(),
        )

        root = base_url(request)
        links = {"current": f"{root}{PATH}"}
        if messages:
            links["next"] = f"{root}{PATH}?older_than={messages[-1].id}"
        return Response(
            {
                "received_text_messages": [
                    outputs.received_text_message(m) for m in messages
                ],
                "links": links,
            }
        )
