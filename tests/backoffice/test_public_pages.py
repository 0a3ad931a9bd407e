"""The accessibility statement, legal notice and personal data pages are
public and linked from every page's footer; the skip link to the menu
appears only where there is a menu."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = {
    "pages:accessibility": "Déclaration d’accessibilité",
    "pages:legal-notice": "Mentions légales",
    "pages:personal-data": "Données personnelles",
}


@pytest.mark.parametrize(("name", "heading"), sorted(PAGES.items()))
def test_each_public_page_opens_without_signing_in(name, heading):
    response = Client().get(reverse(name))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in html
    assert 'lang="fr"' in html and "fr-footer" in html


def test_the_accessibility_statement_gives_its_status_and_a_way_to_complain():
    html = Client().get(reverse("pages:accessibility")).content.decode()

    assert "non conforme" in html and "RGAA" in html
    assert "Défenseur des droits" in html


def test_the_contact_address_is_shown_once_configured(settings):
    settings.PLATFORM_CONTACT_EMAIL = "contact@notifications.example.gouv.fr"

    html = Client().get(reverse("pages:legal-notice")).content.decode()

    assert 'href="mailto:contact@notifications.example.gouv.fr"' in html


def test_the_footer_links_to_the_three_pages_on_signed_in_pages_too(manager_client):
    html = manager_client.get(reverse("services:service-list")).content.decode()

    for name in PAGES:
        assert f'href="{reverse(name)}"' in html, name
    assert 'class="fr-footer__bottom-link" href="/accessibilite/">Accessibilité' in html


def test_the_menu_skip_link_appears_only_with_the_menu(manager_client):
    sign_in = Client().get(reverse("signin:sign-in")).content.decode()
    services = manager_client.get(reverse("services:service-list")).content.decode()

    assert 'href="#navigation-principale"' not in sign_in
    assert 'id="navigation-principale"' not in sign_in
    assert 'href="#navigation-principale"' in services
    assert 'id="navigation-principale"' in services
