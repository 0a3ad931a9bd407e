"""The public API skips the back office's middleware; the back office keeps
all of it (its own tests check CSRF, CSP and sessions on every page)."""

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from config.middleware import BackOfficeStack

pytestmark = pytest.mark.django_db


def test_the_api_gets_security_headers_but_no_session_nor_csp(client):
    response = client.get("/_health", HTTP_COOKIE="sessionid=whatever")

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Length"] == "2"
    assert "Content-Security-Policy" not in response
    assert "Vary" not in response
    assert not response.cookies


def test_an_api_error_keeps_its_envelope_and_length(client):
    response = client.post("/v2/notifications/email", {}, content_type="text/plain")

    assert response.status_code == 401
    assert response.json()["errors"][0]["error"] == "AuthError"
    assert response["Content-Length"] == str(len(response.content))


def test_the_back_office_still_runs_its_middleware(client):
    response = client.get(reverse("signin:sign-in"))

    assert "Content-Security-Policy" in response
    assert "Permissions-Policy" in response


def test_the_middleware_the_admin_and_csrf_need_is_in_the_back_office_list():
    listed = settings.BACKOFFICE_MIDDLEWARE

    for name in (
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ):
        assert name in listed
    assert listed.index("django.contrib.sessions.middleware.SessionMiddleware") < (
        listed.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    )


class _WithExceptionHook:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return None


def test_a_hook_django_would_not_call_is_refused(settings):
    settings.BACKOFFICE_MIDDLEWARE = [f"{__name__}._WithExceptionHook"]

    with pytest.raises(ImproperlyConfigured, match="process_exception"):
        BackOfficeStack(lambda request: HttpResponse())


def test_the_csrf_view_hook_runs_for_the_back_office_only():
    stack = BackOfficeStack(lambda request: HttpResponse())
    factory = RequestFactory()

    def view(request):
        return HttpResponse()

    refused = stack.process_view(factory.post("/connexion/"), view, (), {})
    assert refused is not None and refused.status_code == 403
    assert (
        stack.process_view(factory.post("/v2/notifications/email"), view, (), {})
        is None
    )
