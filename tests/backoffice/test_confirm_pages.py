"""Confirmation pages offer a way back, and the invitation form says what
its button does."""

import pytest
from django.urls import reverse

from services import actions as service_actions
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_confirmation_page_has_a_cancel_link_back(manager_client, team_service):
    s = team_service.id
    colleague = factories.user()
    member = service_actions.member_add(
        service=team_service, user=colleague, permissions=["view_activity"]
    )
    guest = service_actions.guest_list_add(
        service=team_service,
        channel="email",
        recipient="invite@example.fr",
        normalised_recipient="invite@example.fr",
    )
    key = factories.api_key(service=team_service).api_key
    template = factories.email_template(service=team_service)
    team = reverse("services:team", args=[s])
    pages = [
        (reverse("services:api-key-revoke", args=[s, key.id]), "Annuler", None),
        (reverse("services:member-remove", args=[s, member.id]), "Annuler", team),
        (reverse("services:guest-remove", args=[s, guest.id]), "Annuler", team),
        (
            reverse("templates_app:template-archive", args=[s, template.id]),
            "Annuler",
            reverse("templates_app:template-list", args=[s]),
        ),
    ]

    for url, label, back in pages:
        html = manager_client.get(url).content.decode()
        back = back or reverse("services:api-key-list", args=[s])
        assert f'href="{back}">{label}</a>' in html, url
        assert "<li>\n    \n  </li>" not in html and "<li></li>" not in html, url


def test_invitation_revoke_page_keeps_the_invitation_by_its_cancel_link(
    manager_client, manager, team_service, settings
):
    from django.test import RequestFactory

    from services import team

    request = RequestFactory().post("/")
    request.user = manager
    invitation = team.invitation_create(
        request=request,
        service=team_service,
        email="nina@example.gouv.fr",
        permissions=["view_activity"],
        base_url="http://testserver",
    )

    html = manager_client.get(
        reverse("services:invitation-revoke", args=[team_service.id, invitation.id])
    ).content.decode()

    team_url = reverse("services:team", args=[team_service.id])
    assert f'href="{team_url}">Garder l’invitation</a>' in html


def test_invitation_form_button_says_it_sends_the_invitation(
    manager_client, team_service
):
    html = manager_client.get(
        reverse("services:invite", args=[team_service.id])
    ).content.decode()

    assert ">Envoyer l’invitation</button>" in html
    assert ">Enregistrer</button>" not in html
