"""The public API v2, served at the root of the host (Notify's clients join
their paths to the host)."""

from csp.constants import SELF
from csp.decorators import csp_update
from django.urls import path, re_path

from .api import docs, inbound, internal, reads, sends, templates

urlpatterns = [
    path(
        "v2/notifications/email",
        sends.EmailNotificationCreateApi.as_view(),
        name="api-notification-create-email",
    ),
    path(
        "v2/notifications/sms",
        sends.SmsNotificationCreateApi.as_view(),
        name="api-notification-create-sms",
    ),
    path(
        "v2/notifications/letter",
        sends.LetterNotificationCreateApi.as_view(),
        name="api-notification-create-letter",
    ),
    path(
        "v2/notifications",
        reads.NotificationListApi.as_view(),
        name="api-notification-list",
    ),
    path(
        "v2/notifications/<str:notification_id>",
        reads.NotificationDetailApi.as_view(),
        name="api-notification-detail",
    ),
    path(
        "v2/notifications/<str:notification_id>/pdf",
        reads.NotificationPdfApi.as_view(),
        name="api-notification-pdf",
    ),
    path(
        "v2/template/<str:template_id>",
        templates.TemplateDetailApi.as_view(),
        name="api-template-detail",
    ),
    path(
        "v2/template/<str:template_id>/version/<int:version>",
        templates.TemplateVersionDetailApi.as_view(),
        name="api-template-version",
    ),
    path(
        "v2/template/<str:template_id>/preview",
        templates.TemplatePreviewApi.as_view(),
        name="api-template-preview",
    ),
    path("v2/templates", templates.TemplateListApi.as_view(), name="api-template-list"),
    path(
        "v2/received-text-messages",
        inbound.ReceivedTextMessageListApi.as_view(),
        name="api-received-text-list",
    ),
    path("v2/openapi.json", docs.OpenApiDocumentView.as_view(), name="api-openapi"),
    path(
        "docs/api/",
        # Redoc styles its page with inline styles and searches in a worker;
        # scripts still come only from our origin.
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": [SELF, "blob:"]})(
            docs.ApiDocumentationView.as_view()
        ),
        name="api-docs",
    ),
    re_path(r"^v2/", docs.unknown_api_route),
    # Notify's admin API, called by its Python client's
    # get_all_template_versions: refused as Notify refuses a service's key.
    path(
        "service/<uuid:service_id>/template/<uuid:template_id>/versions",
        internal.template_versions,
        name="api-admin-template-versions",
    ),
]
