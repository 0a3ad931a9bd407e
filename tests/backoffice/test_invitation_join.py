"""An existing user joins a service from an invitation link only by
confirming (a POST with its CSRF token): following the link joins
nothing."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from providers import fake
from services.models import AuditAction, AuditEvent, Invitation, ServiceMember
from tests import factories

from .conftest import PASSWORD, add_totp, totp_code, verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(db):
    user = factories.user(email="deja.inscrite@example.gouv.fr")
    add_totp(user)
    return user


@pytest.fixture
def link(manager_client, team_service, invited, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("services:invite", args=[team_service.id]),
            {"email": invited.email, "permissions": ["view_activity", "send_messages"]},
        )
    assert response.status_code == 302
    for entry in fake.outbox:
        match = re.search(
            r"http://testserver(/invitation/[\w-]+/)", entry.message.text_body
        )
        if match:
            return match.group(1)
    raise AssertionError("No invitation link in the fake outbox")


def is_member(service, user) -> bool:
    return ServiceMember.objects.filter(service=service, user=user).exists()


def test_following_the_link_shows_a_confirmation_and_joins_nothing(
    link, team_service, invited
):
    client = verified_client(invited)

    response = client.get(link)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Rejoindre le service" in html
    assert "Voir l’activité, Envoyer des messages" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert not is_member(team_service, invited)
    assert Invitation.objects.get(email=invited.email).accepted_at is None


def test_confirming_joins_with_the_invited_permissions(link, team_service, invited):
    client = verified_client(invited)

    response = client.post(link)

    assert response["Location"] == reverse(
        "notifications:dashboard", args=[team_service.id]
    )
    member = ServiceMember.objects.get(service=team_service, user=invited)
    assert member.permissions == ["view_activity", "send_messages"]
    assert AuditEvent.objects.filter(
        action=AuditAction.INVITATION_ACCEPTED, actor=invited, service=team_service
    ).exists()
    assert client.post(link).status_code == 400


def test_confirming_without_the_csrf_token_is_refused(link, team_service, invited):
    client = verified_client(invited)
    client.handler.enforce_csrf_checks = True

    response = client.post(link)

    assert response.status_code == 403
    assert not is_member(team_service, invited)


def test_another_signed_in_account_cannot_use_the_link(link, team_service, invited):
    someone = verified_client(factories.user())

    assert someone.get(link).status_code == 403
    assert someone.post(link).status_code == 403
    assert not is_member(team_service, invited)


def test_signing_in_from_the_link_comes_back_to_the_confirmation(
    link, team_service, invited
):
    client = Client()

    response = client.get(link)
    assert response["Location"] == f"/connexion/?next={link}"
    client.post(response["Location"], {"email": invited.email, "password": PASSWORD})
    device = invited.totpdevice_set.get()
    response = client.post(
        reverse("signin:second-factor"), {"token": totp_code(device)}
    )

    assert response["Location"] == link
    assert "Rejoindre le service" in client.get(link).content.decode()
    assert not is_member(team_service, invited)
