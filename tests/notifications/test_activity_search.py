"""The activity search finds a recipient however it is typed."""

import pytest

from notifications import backoffice_selectors as reads
from notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(db):
    service = factories.service()
    email = factories.email_template(service=service)
    sms = factories.sms_template(service=service)
    rows = {}
    for key, template, recipient, normalised, reference in [
        ("sms", sms, "06 12 34 56 78", "+33612345678", None),
        (
            "email",
            email,
            "Camille.Martin@Exemple.fr",
            "camille.martin@exemple.fr",
            None,
        ),
        ("other", email, "nina@exemple.fr", "nina@exemple.fr", "dossier-0612345678"),
    ]:
        rows[key] = Notification.objects.create(
            service=service,
            template=template,
            template_version=template.versions.get(version=template.version),
            channel=template.channel,
            recipient=recipient,
            normalised_recipient=normalised,
            client_reference=reference,
            status="delivered",
        )
    return service, rows


def _found(service, search: str) -> set:
    filters = reads.ActivityFilters(search=search)
    return set(reads.activity_list(service_id=service.id, filters=filters))


@pytest.mark.parametrize(
    "typed",
    [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
        "+33612345678",
        "0033612345678",
        " 06-12-34-56-78 ",
    ],
)
def test_a_phone_number_in_any_french_form_finds_its_notification(stored, typed):
    service, rows = stored

    assert _found(service, typed) == {rows["sms"]}


@pytest.mark.parametrize(
    "typed",
    [
        "camille.martin@exemple.fr",
        "CAMILLE.MARTIN@EXEMPLE.FR",
        "Camille.Martin@exemple.FR",
    ],
)
def test_an_email_address_is_found_whatever_its_case(stored, typed):
    service, rows = stored

    assert _found(service, typed) == {rows["email"]}


def test_a_client_reference_is_matched_exactly(stored):
    service, rows = stored

    assert _found(service, "dossier-0612345678") == {rows["other"]}
    assert _found(service, "dossier") == set()


def test_a_term_that_is_neither_finds_nothing_and_never_fails(stored):
    service, _ = stored

    assert _found(service, "06 12") == set()
    assert _found(service, "pas@une adresse") == set()
