"""The OpenAPI document, its page, and schemathesis over the whole API with
each key type and without credentials."""

import re

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis import checks

from services.models import KeyType
from tests import factories
from tests.conftest import make_jwt

schema = schemathesis.openapi.from_wsgi("/v2/openapi.json", get_wsgi_application())

OPERATIONS = {
    ("POST", "/v2/notifications/email"),
    ("POST", "/v2/notifications/sms"),
    ("POST", "/v2/notifications/letter"),
    ("GET", "/v2/notifications"),
    ("GET", "/v2/notifications/{notification_id}"),
    ("GET", "/v2/notifications/{notification_id}/pdf"),
    ("GET", "/v2/template/{template_id}"),
    ("GET", "/v2/template/{template_id}/version/{version}"),
    ("POST", "/v2/template/{template_id}/preview"),
    ("GET", "/v2/templates"),
    ("GET", "/v2/received-text-messages"),
}
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]
AUTHS = ["normal", "team", "test", "none"]


@pytest.mark.django_db
def test_openapi_document_describes_every_operation():
    document = APIClient().get("/v2/openapi.json").json()

    operations = {
        (method.upper(), path)
        for path, items in document["paths"].items()
        for method in items
    }
    assert operations == OPERATIONS


@pytest.mark.django_db
def test_openapi_document_describes_both_auth_schemes_and_the_envelope():
    document = APIClient().get("/v2/openapi.json").json()

    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerJwt"]["scheme"] == "bearer"
    assert schemes["bearerJwt"]["bearerFormat"] == "JWT"
    assert schemes["apiKeyV1"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schemes["apiKeyV1"]["description"],
    }
    envelope = document["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["status_code", "errors"]
    send = document["paths"]["/v2/notifications/email"]["post"]
    assert send["security"] == [{"bearerJwt": []}, {"apiKeyV1": []}]
    assert send["responses"]["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorEnvelope"
    }
    assert any(p["name"] == "Idempotency-Key" for p in send["parameters"])


@pytest.mark.django_db
def test_documentation_page_needs_no_cdn():
    response = APIClient().get("/docs/api/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "/v2/openapi.json" in page
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", page)
    assert external == []
    assert "drf_spectacular_sidecar" in page
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


@pytest.fixture
def in_test_transaction():
    """Keep the test's database connection across WSGI requests (Django's
    test client does the same; a bare WSGI call would close it)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(db, in_test_transaction):
    """Every key type of one service, with a template of each channel so
    that some generated requests reach real objects."""
    service = factories.service(name="Service schemathesis")
    factories.email_template(service=service)
    factories.sms_template(service=service)
    return {
        kind: factories.api_key(service=service, key_type=kind)
        for kind in (KeyType.NORMAL, KeyType.TEAM, KeyType.TEST)
    }


def _headers(credentials, auth: str) -> dict:
    if auth == "none":
        return {}
    key = credentials[auth]
    token = make_jwt(key.secret, key.api_key.service_id)
    return {"Authorization": f"Bearer {token}"}


def _run(case, credentials, auth):
    response = case.call(headers=_headers(credentials, auth))
    case.validate_response(response, checks=CHECKS)


@pytest.mark.parametrize("auth", AUTHS)
@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_document(case, credentials, auth):
    _run(case, credentials, auth)


@pytest.mark.slow
@pytest.mark.parametrize("auth", AUTHS)
@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_document_exhaustively(case, credentials, auth):
    _run(case, credentials, auth)
