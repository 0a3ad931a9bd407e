"""The Marianne symbol in State-branded emails."""

import re

import pytest
from django.urls import reverse

from services import actions
from templates_app import branding, rendering
from tests import factories
from tests.backoffice.conftest import verified_client

IMG = re.compile(r'<img src="([^"]+)" width="40" height="40" alt=""')


def render(**kwargs) -> str:
    return rendering.render_email(
        subject="Objet", body="Bonjour", personalisation={}, service_name="CAF",
        **kwargs,
    ).html  # fmt: skip


def test_state_header_shows_the_symbol_from_its_public_url():
    html = render(logo_url="https://notifications.example.gouv.fr/static/m.png")

    assert IMG.findall(html) == ["https://notifications.example.gouv.fr/static/m.png"]
    assert "République<br>Française" in html


@pytest.mark.parametrize(
    "logo_url", ["", "javascript:alert(1)", "data:image/png;base64,AAAA", "mailto:a@b"]
)
def test_state_header_is_text_only_without_a_web_url(logo_url):
    html = render(logo_url=logo_url)

    assert "<img" not in html
    assert "République<br>Française" in html


def test_neutral_header_never_shows_the_symbol():
    html = render(branding="neutral", logo_url="https://example.gouv.fr/m.png")

    assert "<img" not in html
    assert "République" not in html


def test_logo_url_is_escaped():
    html = render(logo_url='https://example.gouv.fr/m.png?a="><script>')

    assert "<script>" not in html


def test_email_logo_url_prefers_the_setting(settings):
    settings.EMAIL_LOGO_URL = "https://cdn.example.gouv.fr/marianne.png"
    settings.PUBLIC_API_BASE_URL = "https://api.example.gouv.fr"

    assert branding.email_logo_url() == "https://cdn.example.gouv.fr/marianne.png"


def test_email_logo_url_defaults_to_the_static_file_on_the_public_host(settings):
    settings.EMAIL_LOGO_URL = ""
    settings.PUBLIC_API_BASE_URL = "https://api.example.gouv.fr/"

    url = branding.email_logo_url()

    assert url == "https://api.example.gouv.fr/static/templates_app/email/marianne.png"


def test_email_logo_url_is_empty_when_no_public_host_is_known(settings):
    settings.EMAIL_LOGO_URL = ""
    settings.PUBLIC_API_BASE_URL = ""

    assert branding.email_logo_url() == ""


@pytest.mark.django_db
def test_back_office_preview_shows_the_symbol_and_allows_only_this_host():
    service = factories.service()
    user = factories.user()
    actions.member_add(service=service, user=user, permissions=actions.ALL_PERMISSIONS)
    browser = verified_client(user)
    url = reverse("templates_app:draft-preview", args=[service.id])

    response = browser.post(url, {"channel": "email", "subject": "S", "body": "B"})

    sources = IMG.findall(response.content.decode())
    assert sources == ["http://testserver/static/templates_app/email/marianne.png"]
    assert "img-src http://testserver data:" in response["Content-Security-Policy"]
