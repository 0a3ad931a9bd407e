"""The OpenAPI document, its page, and schemathesis over the whole API with
each key type and without credentials."""

import re
import zlib

import jsonschema
import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis import checks

from notifications import actions, cache
from services.models import KeyType
from tests import factories
from tests.conftest import make_jwt

schema = schemathesis.openapi.from_wsgi("/v2/openapi.json", get_wsgi_application())
# Credentials come from each auth profile below, never from generated data
# (a generated Authorization header would be replaced, and a negative case
# turned positive).
schema.config.generation.update(with_security_parameters=False)

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
AUTHS = ["normal", "team", "test", "apikey-v1", "none"]
MEMBER_EMAIL = "membre@example.gouv.fr"
MEMBER_MOBILE = "+33612345678"
RECIPIENTS = {"email_address": MEMBER_EMAIL, "phone_number": MEMBER_MOBILE}


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
def test_openapi_document_declares_the_sending_response_headers():
    paths = APIClient().get("/v2/openapi.json").json()["paths"]

    for kind in ("email", "sms", "letter"):
        limited = paths[f"/v2/notifications/{kind}"]["post"]["responses"]["429"]
        assert limited["headers"]["Retry-After"]["required"] is True
        assert limited["headers"]["Retry-After"]["schema"]["type"] == "integer"
    for kind in ("email", "sms"):
        created = paths[f"/v2/notifications/{kind}"]["post"]["responses"]["201"]
        replayed = created["headers"]["Idempotent-Replayed"]["schema"]
        assert replayed == {"type": "string", "enum": ["true"]}


def _json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema (``nullable`` becomes a null
    type), for jsonschema."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {name: _json_schema(value) for name, value in node.items()}
    if node.pop("nullable", False):
        node["type"] = [node["type"], "null"]
    return node


@pytest.mark.django_db
def test_openapi_document_allows_lists_in_sanitised_content(live, service):
    template = factories.email_template(
        service=service, subject="Objet", body="((items)) ((name))"
    )
    body = {
        "email_address": "usager@example.org",
        "template_id": str(template.id),
        "personalisation": {"items": ["a-b", "c", 3], "name": "x.y"},
        "sanitise_content_for": ["items", "name"],
    }

    created = live.post("/v2/notifications/email", body).json()

    document = APIClient().get("/v2/openapi.json").json()
    send = document["paths"]["/v2/notifications/email"]["post"]
    schema = send["responses"]["201"]["content"]["application/json"]["schema"]
    assert created["sanitised_content"]["items"] == {
        "unsanitised": ["a-b", "c", 3],
        "sanitised": ["a\\-b", "c", 3],
    }
    jsonschema.validate(created, _json_schema(schema))


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
    """Every key type of one service, a team member, templates without
    placeholders and a notification: the real objects that some generated
    requests are pointed at, so that successful answers are checked too."""
    from services import actions as service_actions

    service = factories.service(name="Service schemathesis")
    member = factories.user(email=MEMBER_EMAIL, mobile_number=MEMBER_MOBILE)
    service_actions.member_add(service=service, user=member, permissions=[])
    email = factories.email_template(service=service, subject="Objet", body="Bonjour")
    sms = factories.sms_template(service=service, body="Bonjour")
    keys = {
        kind: factories.api_key(service=service, key_type=kind)
        for kind in (KeyType.NORMAL, KeyType.TEAM, KeyType.TEST)
    }
    for key in keys.values():
        notification = actions.notification_accept(
            sender=actions.Sender(
                service=cache.service_get(service.id),
                key_type=key.api_key.key_type,
                api_key_id=key.api_key.id,
            ),
            channel="email",
            template_id=email.id,
            recipient=MEMBER_EMAIL,
        )
    return {
        **keys,
        "templates": {"email": str(email.id), "sms": str(sms.id)},
        "notification": str(notification.id),
    }


def _headers(credentials, auth: str) -> dict:
    if auth == "none":
        return {}
    if auth == "apikey-v1":
        return {"Authorization": f"ApiKey-v1 {credentials['normal'].key_string}"}
    key = credentials[auth]
    token = make_jwt(key.secret, key.api_key.service_id)
    return {"Authorization": f"Bearer {token}"}


def _point_at_real_objects(case, credentials) -> None:
    """In every other case, put real ids and the team's recipients in the
    request (schemathesis re-checks whether a case is still negative)."""
    if zlib.crc32(repr((case.path_parameters, case.body)).encode()) % 2:
        return
    templates = credentials["templates"]
    parameters = dict(case.path_parameters or {})
    if "template_id" in parameters:
        parameters["template_id"] = templates["email"]
    if "notification_id" in parameters:
        parameters["notification_id"] = credentials["notification"]
    case.path_parameters = parameters
    if isinstance(case.body, dict) and "template_id" in case.body:
        body = dict(case.body)
        channel = "sms" if case.path.endswith("/sms") else "email"
        body["template_id"] = templates[channel]
        for field, recipient in RECIPIENTS.items():
            if field in body:
                body[field] = recipient
        case.body = body


def _run(case, credentials, auth):
    _point_at_real_objects(case, credentials)
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
