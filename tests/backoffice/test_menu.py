"""The main menu shows a member only the pages their permissions open."""

import re

import pytest
from django.urls import reverse

from services import actions as service_actions
from tests import factories

from .conftest import verified_client

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<nav class="fr-nav" id="navigation-principale".*?</nav>', re.DOTALL)
LINK = re.compile(r'<a class="fr-nav__link" href="([^"]+)"[^>]*>([^<]+)</a>')

# A page each permission opens, to see the menu from.
LANDING = {
    "view_activity": "notifications:activity",
    "send_messages": "notifications:send-choose",
    "manage_templates": "templates_app:template-create",
    "manage_service": "services:settings",
    "manage_api_keys": "services:api-key-list",
}


def menu_links(html: str) -> dict[str, str]:
    """The menu's links to the service's sections, by label (the service
    switcher, after its button, left out)."""
    menu = MENU.search(html).group(0)
    sections = menu.split('class="fr-nav__btn"')[0]
    return {label: href for href, label in LINK.findall(sections)}


@pytest.mark.parametrize("permission", sorted(LANDING))
def test_every_menu_link_opens_for_a_member_with_one_permission(
    team_service, permission
):
    member = factories.user()
    service_actions.member_add(
        service=team_service, user=member, permissions=[permission]
    )
    client = verified_client(member)
    landing = client.get(reverse(LANDING[permission], args=[team_service.id]))

    links = menu_links(landing.content.decode())

    for label, href in links.items():
        assert client.get(href).status_code == 200, (permission, label)


def test_a_member_who_only_views_activity_sees_no_send_keys_or_settings(
    team_service,
):
    reader = factories.user()
    service_actions.member_add(
        service=team_service, user=reader, permissions=["view_activity"]
    )

    page = verified_client(reader).get(
        reverse("notifications:dashboard", args=[team_service.id])
    )

    labels = set(menu_links(page.content.decode()))
    assert labels == {"Tableau de bord", "Modèles", "Activité", "Équipe"}


def test_a_manager_with_every_permission_sees_every_section(
    manager_client, team_service
):
    page = manager_client.get(
        reverse("notifications:dashboard", args=[team_service.id])
    )

    labels = set(menu_links(page.content.decode()))
    assert labels == {
        "Tableau de bord",
        "Modèles",
        "Envoyer",
        "Activité",
        "Clés d’API",
        "Équipe",
        "Paramètres",
    }


@pytest.mark.parametrize(
    ("permissions", "landing"),
    [
        (["send_messages", "manage_service"], "notifications:send-choose"),
        (["manage_templates"], "templates_app:template-create"),
        (["manage_api_keys", "manage_service"], "services:api-key-list"),
        (["manage_service"], "services:settings"),
    ],
)
def test_the_service_home_leads_a_member_without_activity_to_a_page_they_may_open(
    team_service, permissions, landing
):
    member = factories.user()
    service_actions.member_add(
        service=team_service, user=member, permissions=permissions
    )
    client = verified_client(member)

    response = client.get(reverse("notifications:dashboard", args=[team_service.id]))

    assert response.status_code == 302
    assert response.url == reverse(landing, args=[team_service.id])
    assert client.get(response.url).status_code == 200


def test_the_service_home_refuses_a_member_with_no_permission(team_service):
    member = factories.user()
    service_actions.member_add(service=team_service, user=member, permissions=[])
    client = verified_client(member)

    response = client.get(reverse("notifications:dashboard", args=[team_service.id]))

    assert response.status_code == 403
