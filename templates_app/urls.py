"""Template screens (back office; protected by config/backoffice_urls.py)."""

from django.urls import path

from . import views

app_name = "templates_app"

S = "services/<uuid:service_id>/modeles/"
T = S + "<uuid:template_id>/"

urlpatterns = [
    path(S, views.TemplateListView.as_view(), name="template-list"),
    path(S + "nouveau/", views.TemplateCreateView.as_view(), name="template-create"),
    path(S + "apercu/", views.DraftPreviewView.as_view(), name="draft-preview"),
    path(T, views.TemplateDetailView.as_view(), name="template-detail"),
    path(T + "modifier/", views.TemplateUpdateView.as_view(), name="template-update"),
    path(T + "archiver/", views.TemplateArchiveView.as_view(), name="template-archive"),
    path(
        T + "desarchiver/",
        views.TemplateUnarchiveView.as_view(),
        name="template-unarchive",
    ),
    path(T + "copier/", views.TemplateCopyView.as_view(), name="template-copy"),
    path(T + "versions/", views.TemplateVersionListView.as_view(), name="versions"),
    path(
        T + "versions/<int:version>/",
        views.TemplateDetailView.as_view(),
        name="version-detail",
    ),
    path(
        T + "versions/<int:version>/apercu/",
        views.TemplateVersionDocumentView.as_view(),
        name="version-document",
    ),
]
