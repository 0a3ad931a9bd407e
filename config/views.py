"""Plumbing views that belong to no app."""

from django.http import HttpResponse


def health(request) -> HttpResponse:
    """Answer 200 without touching the database: for load balancers, and
    the benchmark's ceiling of a trivial Django view."""
    return HttpResponse("ok", content_type="text/plain")
