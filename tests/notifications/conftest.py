"""Fixtures for the public API tests: clients signing as each key type,
templates of each channel, a team."""

import pytest
from rest_framework.test import APIClient

from services import actions as service_actions
from services.models import KeyType
from tests import factories
from tests.conftest import make_jwt

TEAM_EMAIL = "agent.equipe@example.gouv.fr"
TEAM_MOBILE = "+33612345678"
GUEST_EMAIL = "invite@example.org"
OUTSIDER_EMAIL = "public@example.org"
OUTSIDER_MOBILE = "+33698765432"


class ApiCaller:
    """A test client that authenticates every request as one API key."""

    def __init__(self, key: factories.KeyWithSecret, scheme: str = "bearer"):
        self.key = key
        self.scheme = scheme
        self.client = APIClient()

    @property
    def service_id(self):
        return self.key.api_key.service_id

    def authorization(self, **claims) -> str:
        if self.scheme == "apikey":
            return f"ApiKey-v1 {self.key.key_string}"
        token = make_jwt(self.key.secret, self.service_id, **claims)
        return f"Bearer {token}"

    def get(self, path, **kwargs):
        kwargs.setdefault("HTTP_AUTHORIZATION", self.authorization())
        return self.client.get(path, **kwargs)

    def post(self, path, data=None, **kwargs):
        kwargs.setdefault("HTTP_AUTHORIZATION", self.authorization())
        kwargs.setdefault("format", "json")
        return self.client.post(path, data, **kwargs)

    def post_raw(self, path, body: bytes | str, content_type="text/plain", **kw):
        kw.setdefault("HTTP_AUTHORIZATION", self.authorization())
        return self.client.generic("POST", path, body, content_type=content_type, **kw)


@pytest.fixture
def caller_for():
    def make(key: factories.KeyWithSecret, scheme: str = "bearer") -> ApiCaller:
        return ApiCaller(key, scheme)

    return make


@pytest.fixture
def live_key(service):
    return factories.api_key(service=service, key_type=KeyType.NORMAL, name="live")


@pytest.fixture
def team_key(service):
    return factories.api_key(service=service, key_type=KeyType.TEAM, name="team")


@pytest.fixture
def test_key(service):
    return factories.api_key(service=service, key_type=KeyType.TEST, name="test")


@pytest.fixture
def live(live_key):
    return ApiCaller(live_key)


@pytest.fixture
def team(team_key):
    return ApiCaller(team_key)


@pytest.fixture
def tester(test_key):
    return ApiCaller(test_key)


@pytest.fixture
def sms_template(service):
    return factories.sms_template(service=service)


@pytest.fixture
def team_member(service):
    user = factories.user(email=TEAM_EMAIL, mobile_number=TEAM_MOBILE)
    service_actions.member_add(service=service, user=user, permissions=[])
    service_actions.guest_list_add(
        service=service,
        channel="email",
        recipient=GUEST_EMAIL,
        normalised_recipient=GUEST_EMAIL,
    )
    return user


@pytest.fixture
def other_service(db):
    return factories.service(name="Autre service")


@pytest.fixture
def other(other_service):
    return ApiCaller(factories.api_key(service=other_service, name="other"))


def email_body(template, **extra) -> dict:
    body = {
        "email_address": "usager@example.org",
        "template_id": str(template.id),
        "personalisation": {"name": "Camille", "reference": "A-12"},
    }
    body.update(extra)
    return body


def sms_body(template, **extra) -> dict:
    body = {
        "phone_number": "06 12 34 56 78",
        "template_id": str(template.id),
        "personalisation": {"code": "4242"},
    }
    body.update(extra)
    return body


def errors(response) -> list[tuple[str, str]]:
    data = response.json()
    assert data["status_code"] == response.status_code
    return [(entry["error"], entry["message"]) for entry in data["errors"]]
