"""Plumbing views that belong to no app."""

from django.conf import settings
from django.http import HttpResponse
from django.views.generic import TemplateView


def health(request) -> HttpResponse:
    """Answer 200 without touching the database: for load balancers, and
    the benchmark's ceiling of a trivial Django view."""
    return HttpResponse("ok", content_type="text/plain")


class PublicPageView(TemplateView):
    """A page anyone may read, signed in or not, with who publishes the
    platform and how to reach them."""

    title = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["publisher"] = settings.PLATFORM_PUBLISHER
        context["host_provider"] = settings.PLATFORM_HOST_PROVIDER
        context["contact_email"] = settings.PLATFORM_CONTACT_EMAIL
        context["audit_retention_days"] = settings.AUDIT_RETENTION_DAYS
        return context
