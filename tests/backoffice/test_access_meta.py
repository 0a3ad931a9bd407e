"""Meta-tests over the URL map: every back-office page needs a verified
second factor (but sign-in, factor set-up and public assets); every
service page checks membership and permission; every state-changing page
refuses a missing CSRF token."""

import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from services import actions as service_actions
from services.models import ServiceMember
from tests import factories

from .conftest import verified_client

pytestmark = pytest.mark.django_db

# Reachable without a verified second factor, on purpose.
PUBLIC_NAMESPACES = {"signin", "otp_webauthn", "pages"}
OUTSIDE_BACKOFFICE = {"admin", None}
# Called by machines with their own credentials: the public API (API keys)
# and the providers' receipt webhooks (per-provider secrets, see
# providers.webhooks and anymail's WEBHOOK_SECRET).
MACHINE_ROUTES = ("v2/", "admin/", "receipts/", "anymail/")


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(
                entry.url_patterns,
                prefix + str(entry.pattern),
                entry.namespace or namespace,
            )
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry


def backoffice_patterns():
    return [
        (route, namespace, pattern)
        for route, namespace, pattern in _walk(get_resolver().url_patterns)
        if namespace not in OUTSIDE_BACKOFFICE and not route.startswith(MACHINE_ROUTES)
    ]


def protected_patterns():
    return [
        (route, pattern)
        for route, namespace, pattern in backoffice_patterns()
        if namespace not in PUBLIC_NAMESPACES
    ]


def _view_class(pattern):
    callback = pattern.callback
    while hasattr(callback, "__wrapped__") and not hasattr(callback, "view_class"):
        callback = callback.__wrapped__
    return getattr(callback, "view_class", None)


class Targets:
    """Ids for every URL parameter, all belonging to one service."""

    def __init__(self, service, user):
        template = factories.email_template(service=service)
        self.values = {
            "service_id": service.id,
            "template_id": template.id,
            "version": 1,
            "api_key_id": factories.api_key(service=service).api_key.id,
            "reply_to_id": service_actions.reply_to_address_add(
                service=service, email_address="contact@example.gouv.fr"
            ).id,
            "sms_sender_id": service_actions.sms_sender_add(
                service=service, sms_sender="PREFECTURE"
            ).id,
            "member_id": ServiceMember.objects.filter(service=service).first().id,
            "guest_id": service_actions.guest_list_add(
                service=service,
                channel="email",
                recipient="invite@example.fr",
                normalised_recipient="invite@example.fr",
            ).id,
            "invitation_id": uuid.uuid4(),
            "notification_id": uuid.uuid4(),
            "kind": "totp",
            "factor_id": 0,
            "uidb64": "MQ",
            "token": "not-a-token",
        }

    def url(self, route: str) -> str:
        path = route
        for name, value in self.values.items():
            for converter in ("uuid", "int", "str"):
                path = path.replace(f"<{converter}:{name}>", str(value))
        assert "<" not in path, f"No value for a parameter of {route}"
        return "/" + path


def test_every_backoffice_page_outside_sign_in_is_protected():
    unprotected = [
        route
        for route, pattern in protected_patterns()
        if not getattr(pattern.callback, "backoffice_protected", False)
    ]

    assert protected_patterns(), "the URL map has no back-office page"
    assert unprotected == []


def test_public_pages_are_only_sign_in_factor_set_up_passkeys_and_statements():
    public = sorted(
        pattern.name
        for _, namespace, pattern in backoffice_patterns()
        if namespace in PUBLIC_NAMESPACES
    )

    assert public == sorted(
        [
            "accessibility",
            "backup-codes",
            "credential-authentication-begin",
            "credential-authentication-complete",
            "credential-registration-begin",
            "credential-registration-complete",
            "factor-setup",
            "invitation",
            "js-i18n-catalog",
            "legal-notice",
            "password-reset",
            "password-reset-confirm",
            "personal-data",
            "second-factor",
            "sign-in",
            "sign-out",
        ]
    )


def test_anonymous_visitor_is_sent_to_sign_in_from_every_protected_page(
    team_service, manager
):
    targets = Targets(team_service, manager)
    client = Client()

    for route, _ in protected_patterns():
        for method in ("get", "post"):
            response = getattr(client, method)(targets.url(route))
            assert response.status_code == 302, (method, route)
            assert response["Location"].startswith("/connexion/"), (method, route)


def test_session_without_second_factor_reaches_no_protected_page(team_service, manager):
    targets = Targets(team_service, manager)
    client = Client()
    client.force_login(manager)

    for route, _ in protected_patterns():
        for method in ("get", "post"):
            response = getattr(client, method)(targets.url(route))
            assert response.status_code == 302, (method, route)
            assert response["Location"] == "/connexion/second-facteur/", route


def service_routes():
    return [
        (route, pattern)
        for route, pattern in protected_patterns()
        if "<uuid:service_id>" in route
    ]


def test_every_service_page_declares_a_permission():
    undeclared = [
        route
        for route, pattern in service_routes()
        if not getattr(_view_class(pattern), "permission", "")
    ]

    assert service_routes()
    assert undeclared == []


def test_member_of_another_service_gets_404_on_every_page_of_this_one(
    team_service, manager, other_service
):
    # The manager of team_service targets other_service's objects.
    targets = Targets(other_service, manager)
    client = verified_client(manager)

    for route, _ in service_routes():
        for method in ("get", "post"):
            response = getattr(client, method)(targets.url(route))
            assert response.status_code == 404, (method, route)


def test_member_without_the_permission_gets_403_on_every_service_page(
    team_service, manager
):
    targets = Targets(team_service, manager)
    outsider = factories.user()
    service_actions.member_add(service=team_service, user=outsider, permissions=())
    client = verified_client(outsider)

    for route, _ in service_routes():
        for method in ("get", "post"):
            response = getattr(client, method)(targets.url(route))
            assert response.status_code == 403, (method, route)


def test_every_state_changing_page_refuses_a_missing_csrf_token(team_service, manager):
    targets = Targets(team_service, manager)
    client = verified_client(manager)
    client.handler.enforce_csrf_checks = True
    posting = [
        (route, namespace, pattern)
        for route, namespace, pattern in backoffice_patterns()
        if hasattr(_view_class(pattern), "post")
    ]

    assert len(posting) > 20
    for route, _, _ in posting:
        response = client.post(targets.url(route), {"name": "x"})
        assert response.status_code == 403, route
        assert "Formulaire expiré" in response.content.decode() or (
            route.startswith("webauthn/")
        ), route
