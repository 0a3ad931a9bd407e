"""GET /v2/template/{id}, /version/{n}, GET /v2/templates and the
preview."""

import datetime as dt
import uuid

import pytest

from templates_app import actions as template_actions
from tests import factories

from .conftest import errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(service):
    return factories.user(email="redactrice@example.gouv.fr")


def test_get_template_answers_notifys_shape(live, service, author):
    template = factories.email_template(service=service, created_by=author)

    data = live.get(f"/v2/template/{template.id}").json()

    assert data == {
        "id": str(template.id),
        "type": "email",
        "created_at": template.created_at.astimezone(dt.UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        ),
        "updated_at": None,
        "created_by": "redactrice@example.gouv.fr",
        "version": 1,
        "body": "Votre dossier ((reference)) est complet.",
        "subject": "Bonjour ((name))",
        "name": "Dossier complet",
        "personalisation": {
            "name": {"required": True},
            "reference": {"required": True},
        },
        "postage": None,
        "letter_contact_block": None,
    }


def test_get_template_answers_the_latest_version(live, email_template):
    template_actions.template_update(template=email_template, body="Nouveau ((x))")

    data = live.get(f"/v2/template/{email_template.id}").json()

    assert data["version"] == 2
    assert data["body"] == "Nouveau ((x))"
    assert data["updated_at"].endswith("Z")
    assert data["personalisation"] == {
        "name": {"required": True},
        "x": {"required": True},
    }


def test_get_template_version_answers_that_version(live, email_template):
    template_actions.template_update(template=email_template, body="Nouveau")

    first = live.get(f"/v2/template/{email_template.id}/version/1").json()
    second = live.get(f"/v2/template/{email_template.id}/version/2").json()
    latest = live.get(f"/v2/template/{email_template.id}/version/0").json()

    assert first["version"] == 1
    assert first["body"] == "Votre dossier ((reference)) est complet."
    assert first["updated_at"] is None
    assert second["body"] == "Nouveau"
    assert latest["version"] == 2


def test_get_sms_template_has_no_subject(live, sms_template):
    data = live.get(f"/v2/template/{sms_template.id}").json()

    assert data["type"] == "sms"
    assert data["subject"] is None
    assert data["personalisation"] == {"code": {"required": True}}


def test_get_template_still_answers_an_archived_template(live, email_template):
    template_actions.template_archive(template=email_template)

    assert live.get(f"/v2/template/{email_template.id}").status_code == 200


@pytest.mark.parametrize("suffix", ["", "/version/1", "/version/9"])
def test_get_template_hides_another_services_template(live, other_service, suffix):
    theirs = factories.email_template(service=other_service)

    response = live.get(f"/v2/template/{theirs.id}{suffix}")

    assert response.status_code == 404
    assert errors(response) == [("NoResultFound", "No result found")]


def test_get_template_refuses_an_invalid_id(live):
    response = live.get("/v2/template/nope")

    assert errors(response) == [("ValidationError", "id is not a valid UUID")]


def test_get_template_version_that_is_not_a_number_is_an_unknown_url(
    live, email_template
):
    response = live.get(f"/v2/template/{email_template.id}/version/one")

    assert response.status_code == 404
    assert response.json()["result"] == "error"


def test_list_templates_is_by_name_without_archived(live, service):
    zebra = factories.email_template(service=service, name="Zèbre")
    alpha = factories.sms_template(service=service, name="Alpha")
    archived = factories.email_template(service=service, name="Archivé")
    template_actions.template_archive(template=archived)

    data = live.get("/v2/templates").json()

    assert [t["id"] for t in data["templates"]] == [str(alpha.id), str(zebra.id)]


def test_list_templates_filters_by_type(live, service, email_template, sms_template):
    data = live.get("/v2/templates?type=sms").json()

    assert [t["id"] for t in data["templates"]] == [str(sms_template.id)]
    assert live.get("/v2/templates?type=letter").json() == {"templates": []}


def test_list_templates_never_shows_another_service(live, other_service):
    factories.email_template(service=other_service)

    assert live.get("/v2/templates").json() == {"templates": []}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("type=orange", "type orange is not one of [sms, email, letter]"),
        ("kind=sms", "Additional properties are not allowed (kind was unexpected)"),
    ],
)
def test_list_templates_refuses_bad_parameters(live, query, message):
    assert errors(live.get(f"/v2/templates?{query}")) == [("ValidationError", message)]


def test_preview_email_renders_body_html_and_subject(live, email_template):
    response = live.post(
        f"/v2/template/{email_template.id}/preview",
        {"personalisation": {"name": "Camille", "reference": "<b>A</b>"}},
    )

    data = response.json()
    assert response.status_code == 200
    assert data["id"] == str(email_template.id)
    assert data["type"] == "email"
    assert data["version"] == 1
    assert data["subject"] == "Bonjour Camille"
    assert data["body"] == "Votre dossier <b>A</b> est complet."
    assert "<b>A</b>" not in data["html"]
    assert "Votre dossier" in data["html"]
    assert data["postage"] is None


def test_preview_sms_has_no_html_nor_subject(live, sms_template):
    data = live.post(
        f"/v2/template/{sms_template.id}/preview", {"personalisation": {"code": "1"}}
    ).json()

    assert data["body"] == "Votre code : 1"
    assert data["html"] is None
    assert data["subject"] is None


def test_preview_lists_missing_personalisation(live, email_template):
    response = live.post(
        f"/v2/template/{email_template.id}/preview", {"personalisation": {}}
    )

    assert errors(response) == [
        ("BadRequestError", "Missing personalisation: name, reference")
    ]


def test_preview_accepts_an_empty_body(live, service):
    template = factories.sms_template(service=service, body="Sans variable")

    response = live.post_raw(f"/v2/template/{template.id}/preview", "")

    assert response.json()["body"] == "Sans variable"


def test_preview_refuses_null_personalisation(live, email_template):
    response = live.post(
        f"/v2/template/{email_template.id}/preview", {"personalisation": None}
    )

    assert errors(response) == [
        ("ValidationError", "personalisation None is not of type object")
    ]


def test_preview_answers_404_for_another_services_template(live, other_service):
    theirs = factories.email_template(service=other_service)

    response = live.post(f"/v2/template/{theirs.id}/preview", {"personalisation": {}})

    assert response.status_code == 404


def test_preview_refuses_an_invalid_id(live):
    response = live.post(f"/v2/template/{uuid.uuid4()}x/preview", {})

    assert errors(response) == [("ValidationError", "id is not a valid UUID")]


def test_preview_reads_a_json_null_body_as_empty(live, service):
    template = factories.sms_template(service=service, body="Sans variable")

    response = live.post_raw(
        f"/v2/template/{template.id}/preview", "null", content_type="application/json"
    )

    assert response.status_code == 200
