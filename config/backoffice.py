"""Shared plumbing of the back office's views (as ``config/api.py`` is for
the API): page title and menu section, and the service-page check every
app's screens use.

The membership model is looked up by name so that ``templates_app`` and
``notifications`` screens can use the check without importing
``services``.
"""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.generic import TemplateView


def base_url(request) -> str:
    """The back office's absolute root, for links sent by email."""
    configured = settings.BACKOFFICE_BASE_URL.rstrip("/")
    return configured or request.build_absolute_uri("/")[:-1]


class BackofficeMixin:
    """Adds the page title and the menu section to the context."""

    title = ""
    section = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("title", self.title)
        context.setdefault("section", self.section)
        return context


class ServicePageMixin(BackofficeMixin):
    """A page of the service in the URL: 404 unless the user is one of its
    members (other services' ids reveal nothing), 403 unless they have
    ``permission``."""

    permission: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not self.permission:
            raise PermissionDenied("Page sans droit déclaré")
        member_model = apps.get_model("services", "ServiceMember")
        member = (
            member_model.objects.select_related("service")
            .filter(service_id=kwargs["service_id"], user=request.user)
            .first()
        )
        if member is None:
            raise Http404("Service introuvable")
        if not member.has_permission(self.permission):
            return self.permission_missing(member)
        self.service = request.service = member.service
        self.member = request.member = member
        return super().dispatch(request, *args, **kwargs)

    def permission_missing(self, member):
        raise PermissionDenied("Droit manquant")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["service"] = self.service
        context["member"] = self.member
        return context


class ServicePageView(ServicePageMixin, TemplateView):
    pass
