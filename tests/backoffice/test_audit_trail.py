"""A service's audit page: its own events and its current members'
security events since they joined, never another user's; paginated; the
details of each event shown inert."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from services import actions as service_actions
from services import team
from services.audit import audit_record
from services.models import AuditAction, AuditEvent, ServiceMember
from tests import factories

from .conftest import PASSWORD, add_totp, totp_code

pytestmark = pytest.mark.django_db


def audit_page(client, service, page=None) -> str:
    url = reverse("services:audit", args=[service.id])
    if page is not None:
        url += f"?page={page}"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def actions_shown(html: str) -> list[str]:
    """The "Événement" column, row by row."""
    return [re.findall(r"<td>(.*?)</td>", row, re.S)[1] for row in rows(html)]


@pytest.fixture
def colleague(team_service):
    user = factories.user(email="Colleague.A@example.gouv.fr")
    service_actions.member_add(
        service=team_service, user=user, permissions=["view_activity"]
    )
    return user


@pytest.fixture
def outsider(other_service):
    """A user who is only a member of service B."""
    user = factories.user(email="seulement.b@example.gouv.fr")
    service_actions.member_add(
        service=other_service, user=user, permissions=["view_activity"]
    )
    return user


def test_manager_sees_the_members_sign_ins_failures_and_factor_changes(
    manager_client, team_service, colleague
):
    device = add_totp(colleague)
    client = Client()
    client.post(
        reverse("signin:sign-in"),
        {"email": colleague.email.upper(), "password": "pas le bon mot de passe"},
    )
    client.post(
        reverse("signin:sign-in"), {"email": colleague.email, "password": PASSWORD}
    )
    client.post(reverse("signin:second-factor"), {"token": totp_code(device)})
    elsewhere = Client()
    elsewhere.post(
        reverse("signin:sign-in"), {"email": colleague.email, "password": PASSWORD}
    )
    elsewhere.post(reverse("signin:second-factor"), {"token": "000000"})
    audit_record(
        action=AuditAction.FACTOR_ADDED, actor=colleague, data={"kind": "webauthn"}
    )

    html = audit_page(manager_client, team_service)

    assert sorted(actions_shown(html)) == sorted(
        [
            "Connexion",
            "Échec de connexion",
            "Échec du second facteur",
            "Second facteur ajouté",
        ]
    )
    assert colleague.email.upper() in html


def test_manager_of_a_never_sees_events_of_a_user_only_in_b(
    manager_client, team_service, other_service, outsider
):
    add_totp(outsider)
    client = Client()
    client.post(
        reverse("signin:sign-in"), {"email": outsider.email, "password": "mauvais"}
    )
    client.post(
        reverse("signin:sign-in"), {"email": outsider.email, "password": PASSWORD}
    )
    client.post(reverse("signin:second-factor"), {"token": "000000"})
    audit_record(action=AuditAction.SIGN_IN, actor=outsider)
    audit_record(action=AuditAction.FACTOR_REMOVED, actor=outsider)
    audit_record(
        action=AuditAction.API_KEY_CREATED, actor=outsider, service=other_service
    )
    assert AuditEvent.objects.filter(actor_email=outsider.email).count() == 5

    html = audit_page(manager_client, team_service)

    assert outsider.email not in html
    assert rows(html) == ['<td colspan="6">Aucun événement.</td>']


def test_a_members_events_elsewhere_and_before_joining_stay_hidden(
    manager_client, team_service, other_service, colleague
):
    member = ServiceMember.objects.get(service=team_service, user=colleague)
    AuditEvent.objects.create(
        action=AuditAction.SIGN_IN,
        actor=colleague,
        actor_email=colleague.email,
        created_at=member.created_at - dt.timedelta(hours=1),
    )
    audit_record(
        action=AuditAction.API_KEY_CREATED, actor=colleague, service=other_service
    )
    audit_record(
        action=AuditAction.FACTOR_REMOVED,
        actor=colleague,
        data={"kind": "TOTPDevice", "by_operator": True},
    )

    html = audit_page(manager_client, team_service)

    assert rows(html) == ['<td colspan="6">Aucun événement.</td>']


def test_a_removed_members_security_events_disappear(
    manager_client, team_service, colleague, rf
):
    audit_record(action=AuditAction.SIGN_IN, actor=colleague)
    assert actions_shown(audit_page(manager_client, team_service)) == ["Connexion"]
    request = rf.post("/")
    request.user = factories.user()
    member = ServiceMember.objects.get(service=team_service, user=colleague)

    team.member_remove(request=request, member=member)

    assert actions_shown(audit_page(manager_client, team_service)) == ["Membre retiré"]


def test_the_trail_is_paginated_with_the_dsfr_pagination(manager_client, team_service):
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=AuditAction.SETTINGS_CHANGED,
            service=team_service,
            created_at=now - dt.timedelta(minutes=i),
            data={"fields": [f"champ-{i}"]},
        )
        for i in range(60)
    )

    first = audit_page(manager_client, team_service)
    second = audit_page(manager_client, team_service, page=2)

    assert len(rows(first)) == 50
    assert len(rows(second)) == 10
    assert "champ-0<" in first and "champ-59<" in second
    assert 'class="fr-pagination"' in first
    assert "?page=2" in first
    for junk in ("abc", "999", "-1"):
        assert len(rows(audit_page(manager_client, team_service, page=junk))) > 0


def test_event_details_show_permissions_before_and_after_in_french(
    manager_client, team_service, colleague, rf
):
    request = rf.post("/")
    request.user = factories.user()
    member = ServiceMember.objects.get(service=team_service, user=colleague)

    team.member_permissions_change(
        request=request, member=member, permissions=["view_activity", "send_messages"]
    )

    html = audit_page(manager_client, team_service)
    assert "Avant : Voir l’activité<" in html
    assert "Après : Voir l’activité, Envoyer des messages<" in html


def test_event_details_are_shown_inert(manager_client, team_service, colleague):
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    audit_record(
        action=AuditAction.FACTOR_REMOVED,
        actor=colleague,
        data={"kind": "webauthn", "name": payload},
    )
    audit_record(
        action=AuditAction.SETTINGS_CHANGED,
        service=team_service,
        data={payload: [payload], "before": {payload: payload}},
    )

    html = audit_page(manager_client, team_service)

    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_only_managers_see_the_trail(team_service, colleague):
    from .conftest import verified_client

    url = reverse("services:audit", args=[team_service.id])

    assert verified_client(colleague).get(url).status_code == 403
