"""Every main page renders for a manager, in French, with the DSFR
layout."""

import pytest
from django.urls import reverse

from tests import factories

from .conftest import confirm_password

pytestmark = pytest.mark.django_db


def _pages(service, template, notification_id=None):
    s = service.id
    pages = [
        reverse("services:service-list"),
        reverse("services:service-create"),
        reverse("services:account"),
        reverse("services:reauthenticate"),
        reverse("services:password-change"),
        reverse("services:totp-add"),
        reverse("services:security-key-add"),
        reverse("notifications:dashboard", args=[s]),
        reverse("services:api-key-list", args=[s]),
        reverse("services:api-key-create", args=[s]),
        reverse("services:team", args=[s]),
        reverse("services:invite", args=[s]),
        reverse("services:guest-add", args=[s]),
        reverse("services:settings", args=[s]),
        reverse("services:reply-to-add", args=[s]),
        reverse("services:sms-sender-add", args=[s]),
        reverse("services:go-live", args=[s]),
        reverse("services:audit", args=[s]),
        reverse("templates_app:template-list", args=[s]),
        reverse("templates_app:template-create", args=[s]) + "?type=email",
        reverse("templates_app:template-create", args=[s]) + "?type=sms",
        reverse("templates_app:template-detail", args=[s, template.id]),
        reverse("templates_app:template-update", args=[s, template.id]),
        reverse("templates_app:versions", args=[s, template.id]),
        reverse("notifications:send-choose", args=[s]),
        reverse("notifications:send", args=[s, template.id]),
        reverse("notifications:activity", args=[s]),
    ]
    return pages


def test_main_pages_render_in_french_with_the_dsfr_layout(manager_client, team_service):
    template = factories.email_template(service=team_service)
    # Adding a factor needs a recent re-authentication.
    confirm_password(manager_client)

    for url in _pages(team_service, template):
        response = manager_client.get(url)

        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'lang="fr"' in html, url
        assert "République<br>Française" in html, url
        assert "fr-header" in html and "fr-footer" in html, url
