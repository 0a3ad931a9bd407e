"""View tests of the template screens: what an SMS costs (the template's
page, the editor and the JSON of its live preview), the template id."""

import pytest
from django.urls import reverse

from services import actions as service_actions
from templates_app.models import Template
from tests import factories
from tests.backoffice.conftest import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return factories.user(full_name="Camille Martin")


@pytest.fixture
def service(manager):
    return service_actions.service_create(
        name="Mairie de Lyon", organisation_name="Ville de Lyon", created_by=manager
    )


@pytest.fixture
def client(manager, service):
    return verified_client(manager)


def draft_summary(client, service, body: str) -> dict:
    url = reverse("templates_app:draft-preview", args=[service.id])
    response = client.post(url, {"channel": "sms", "format": "json", "body": body})
    assert response.status_code == 200
    return response.json()["sms"]


# What an SMS costs


def test_live_preview_json_lists_replaced_double_and_unicode_characters(
    client, service
):
    sms = draft_summary(client, service, "Prêt : 10 € [x] l’œuvre")

    assert sms["encoding"] == "GSM-7"
    assert (sms["character_count"], sms["fragment_count"]) == (24, 1)
    assert sms["summary"] == (
        "24 caractères, 1 SMS, encodage GSM-7 (alphabet SMS standard)."
    )
    assert sms["unicode_characters"] == []
    assert sms["extended_characters"] == ["[", "]", "€"]
    assert sms["replaced_characters"] == [["ê", "e"], ["œ", "oe"], ["’", "'"]]
    assert sms["body"] == "Pret : 10 € [x] l'oeuvre"
    assert sms["notes"] == [
        "« [ », « ] » et « € » comptent chacun pour 2 caractères.",
        "Lettres simplifiées à l’envoi (absentes de l’alphabet SMS standard, "
        "elles feraient passer le message en Unicode) : « ê » devient « e » "
        "et « œ » devient « oe ».",
        "Signes remplacés à l’envoi : « ’ » devient « ' ».",
    ]


def test_live_preview_json_names_what_forces_ucs2_and_keeps_the_letters(
    client, service
):
    sms = draft_summary(client, service, "Ça coûte 👍")

    assert sms["encoding"] == "UCS-2"
    assert sms["summary"].endswith("encodage UCS-2 (Unicode).")
    assert sms["unicode_characters"] == ["👍"]
    assert sms["extended_characters"] == sms["replaced_characters"] == []
    assert "70 caractères par SMS au lieu de 160" in sms["notes"][0]
    assert "« û »" in sms["notes"][1]
    assert sms["body"] == "Ça coûte 👍"


def test_live_preview_json_explains_prefix_placeholders_and_the_limit(client, service):
    service.sms_prefix = True
    service.save(update_fields=["sms_prefix"])

    sms = draft_summary(client, service, "Code ((code)) " + "a" * 910)

    assert sms["fragment_count"] == 7
    assert sms["notes"][0] == (
        "Le message dépasse la limite de 918 caractères : il sera refusé."
    )
    assert any(
        note.startswith("« Mairie de Lyon: » est ajouté") for note in sms["notes"]
    )
    assert sms["notes"][-1].startswith("Les champs personnalisés sont comptés")


def test_live_preview_of_an_empty_draft_answers_without_error(client, service):
    url = reverse("templates_app:draft-preview", args=[service.id])

    sms = draft_summary(client, service, "  ")
    frame = client.post(url, {"channel": "email", "subject": "", "body": ""})

    assert sms["summary"] == "Le message est vide."
    assert (sms["fragment_count"], sms["notes"]) == (0, [])
    assert frame.status_code == 200
    assert "L’aperçu s’affichera" in frame.content.decode()
    assert "sandbox" in frame["Content-Security-Policy"]


def test_template_page_shows_what_each_character_costs(client, service):
    template = factories.sms_template(
        service=service, body="Prêt : ((montant)) € à récupérer… 🙂"
    )

    page = client.get(
        reverse("templates_app:template-detail", args=[service.id, template.id])
    ).content.decode()

    assert "encodage UCS-2 (Unicode)" in page
    assert "« 🙂 » n’est pas dans l’alphabet SMS standard (GSM-7)" in page
    assert "Les lettres « ê » sont donc envoyées telles quelles" in page
    assert "« … » devient « ... »" in page


def test_sms_editor_shows_the_cost_before_any_script_runs(client, service):
    template = factories.sms_template(service=service, body="Reçu : 10 €")

    page = client.get(
        reverse("templates_app:template-update", args=[service.id, template.id])
    ).content.decode()

    assert 'id="preview-sms-summary"' in page
    assert "encodage GSM-7" in page
    assert "« € » compte pour 2 caractères." in page
    assert "« ç » devient « c »" in page
    assert "<script>" not in page  # the preview script is a static file


def test_email_editor_has_no_sms_cost(client, service):
    url = reverse("templates_app:template-create", args=[service.id])

    page = client.get(url, {"type": "email"}).content.decode()

    assert "preview-sms-summary" not in page
    assert Template.objects.count() == 0


# The template's id, for the API


def test_template_page_shows_its_id_with_a_copy_button(client, service):
    template = factories.email_template(service=service)

    page = client.get(
        reverse("templates_app:template-detail", args=[service.id, template.id])
    ).content.decode()

    assert f'<code class="bo-secret" id="template-id">{template.id}</code>' in page
    assert 'data-copy-target="template-id"' in page
    assert "services/copy.js" in page and "<script>" not in page
