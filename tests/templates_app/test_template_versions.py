import pytest

from templates_app import actions, selectors
from templates_app.models import TemplateVersion
from tests import factories

pytestmark = pytest.mark.django_db


def test_template_create_writes_version_one():
    service = factories.service()

    template = factories.email_template(service=service, subject="S", body="B")

    versions = list(template.versions.values_list("version", "subject", "body"))
    assert versions == [(1, "S", "B")]


def test_template_update_adds_a_version_and_keeps_the_old_one_unchanged():
    template = factories.email_template(service=factories.service(), body="Avant")

    actions.template_update(template=template, body="Après")
    actions.template_update(template=template, subject="Nouvel objet")

    template.refresh_from_db()
    assert template.version == 3
    bodies = dict(template.versions.values_list("version", "body"))
    assert bodies == {1: "Avant", 2: "Après", 3: "Après"}
    latest = selectors.template_version_get(
        service_id=template.service_id, template_id=template.id
    )
    assert (latest.version, latest.subject) == (3, "Nouvel objet")


def test_template_update_without_change_adds_no_version():
    template = factories.email_template(service=factories.service(), body="Même")

    actions.template_update(template=template, body="Même", name=template.name)

    assert template.versions.count() == 1


def test_template_version_refuses_to_be_changed_once_written():
    template = factories.sms_template(service=factories.service())
    version = template.versions.get()

    version.body = "altéré"
    with pytest.raises(ValueError, match="immutable"):
        version.save()

    assert TemplateVersion.objects.get(pk=version.pk).body != "altéré"


def test_template_version_get_is_scoped_to_the_service():
    template = factories.sms_template(service=factories.service())
    other_service = factories.service()

    found = selectors.template_version_get(
        service_id=other_service.id, template_id=template.id
    )

    assert found is None
