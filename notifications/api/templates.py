"""GET /v2/template/{id}[/version/{n}], GET /v2/templates and
POST /v2/template/{id}/preview."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.response import Response

from config.api import BadRequestError, NotFoundError
from templates_app import selectors as template_selectors

from .. import language
from . import openapi, outputs, schemas, validation
from .common import PublicApi, path_uuid, request_body

TEMPLATE_ID = OpenApiParameter(
    "template_id",
    location=OpenApiParameter.PATH,
    type={"type": "string", "format": "uuid"},
)


MAX_VERSION = 2_147_483_647


def _version(service_id, template_id: str, version: int | None):
    template_uuid = path_uuid(template_id, "id")
    if version is not None and version > MAX_VERSION:
        raise NotFoundError()
    found = template_selectors.template_version_get(
        service_id=service_id,
        template_id=template_uuid,
        # Version 0 means "the latest", as in Notify.
        version=version or None,
    )
    if found is None:
        raise NotFoundError()
    return found


@extend_schema_view(
    get=extend_schema(
        tags=["templates"],
        operation_id="get_template",
        summary="Get a template (its latest version)",
        parameters=[TEMPLATE_ID],
        responses=openapi.responses(200, schemas.TEMPLATE, not_found=True),
    )
)
class TemplateDetailApi(PublicApi):
    def get(self, request, template_id: str):
        version = _version(self.caller.service_id, template_id, None)
        return Response(outputs.template(version.template, version))


@extend_schema_view(
    get=extend_schema(
        tags=["templates"],
        operation_id="get_template_version",
        summary="Get one version of a template",
        parameters=[
            TEMPLATE_ID,
            OpenApiParameter(
                "version",
                location=OpenApiParameter.PATH,
                type={"type": "integer", "minimum": 0, "maximum": 2147483647},
            ),
        ],
        responses=openapi.responses(200, schemas.TEMPLATE, not_found=True),
    )
)
class TemplateVersionDetailApi(PublicApi):
    def get(self, request, template_id: str, version: int):
        found = _version(self.caller.service_id, template_id, version)
        return Response(outputs.template(found.template, found))


@extend_schema_view(
    get=extend_schema(
        tags=["templates"],
        operation_id="get_all_templates",
        summary="List templates",
        description="The service's templates that are not archived, by name.",
        parameters=[
            OpenApiParameter(
                "type", type={"type": "string", "enum": schemas.TEMPLATE_TYPES}
            )
        ],
        responses=openapi.responses(200, schemas.TEMPLATE_LIST),
    )
)
class TemplateListApi(PublicApi):
    def get(self, request):
        arguments = validation.validate(
            request.query_params.dict(), schemas.GET_TEMPLATES_REQUEST
        )

        templates = template_selectors.template_list(
            service_id=self.caller.service_id, channel=arguments.get("type")
        )
        templates = templates.select_related("created_by")
        return Response({"templates": [outputs.template(t) for t in templates]})


@extend_schema_view(
    post=extend_schema(
        tags=["templates"],
        operation_id="post_template_preview",
        summary="Preview a template with personalisation",
        parameters=[TEMPLATE_ID],
        request={
            "application/json": {
                "type": "object",
                # An empty body or JSON null is read as {}, as Notify does.
                "nullable": True,
                "properties": {"personalisation": {"type": "object"}},
            }
        },
        responses=openapi.responses(200, schemas.TEMPLATE_PREVIEW, not_found=True),
    )
)
class TemplatePreviewApi(PublicApi):
    def post(self, request, template_id: str):
        data = validation.parse_json(request_body(request), allow_empty=True)
        if isinstance(data, dict):
            data = {**data, "id": template_id}
        validation.validate(data, schemas.POST_TEMPLATE_PREVIEW_REQUEST)
        version = _version(self.caller.service_id, template_id, None)

        try:
            preview = outputs.template_preview(
                version, data.get("personalisation") or {}
            )
        except (
            language.MissingPersonalisationError,
            language.ContentRejected,
            language.MessageTooLong,
        ) as error:
            raise BadRequestError(str(error)) from error
        return Response(preview)
