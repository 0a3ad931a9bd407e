"""View tests of the template screens: what an SMS costs (the template's
page, the editor and the JSON of its live preview), the template id, the
filters of the list, copying, archiving and unarchiving."""

import pytest
from django.urls import reverse

from services import actions as service_actions
from templates_app import actions as template_actions
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


# The list's filters


def list_names(client, service, **filters) -> str:
    url = reverse("templates_app:template-list", args=[service.id])
    response = client.get(url, filters)
    assert response.status_code == 200
    return response.content.decode()


def test_template_list_filters_by_channel(client, service):
    factories.email_template(service=service, name="Convocation")
    factories.sms_template(service=service, name="Rappel")

    emails = list_names(client, service, channel="email")
    texts = list_names(client, service, channel="sms")

    assert "Convocation</a>" in emails and "Rappel</a>" not in emails
    assert "1 modèle d’email" in emails
    assert "Rappel</a>" in texts and "Convocation</a>" not in texts


def test_template_list_shows_archived_templates_only_when_asked(client, service):
    factories.email_template(service=service, name="Actuel")
    old = factories.sms_template(service=service, name="Ancien")
    template_actions.template_archive(template=old)

    default = list_names(client, service)
    archived = list_names(client, service, archived="1", q="anc")

    assert "Actuel</a>" in default and "Ancien</a>" not in default
    assert "Ancien</a>" in archived and "Actuel</a>" not in archived
    assert "1 modèle archivé pour « anc »" in archived


def test_template_list_refuses_an_unknown_filter_in_french(client, service):
    page = list_names(client, service, channel="fax")

    assert "fr-select-group--error" in page
    assert "Sélectionnez un choix valide" in page


# Copying


def test_copy_prefills_a_new_template_and_leaves_the_original(client, service):
    source = factories.email_template(
        service=service, name="Convocation", subject="RDV ((date))", body="Venez."
    )
    url = reverse("templates_app:template-copy", args=[service.id, source.id])

    form = client.get(url).content.decode()
    response = client.post(
        url, {"name": "Convocation (copie)", "subject": "RDV ((date))", "body": "Oui."}
    )

    assert "Copier « Convocation »" in form
    assert 'value="Convocation (copie)"' in form and "Venez.</textarea>" in form
    copy = Template.objects.exclude(pk=source.pk).get(service=service)
    assert response["Location"].endswith(f"/modeles/{copy.id}/")
    assert (copy.channel, copy.subject, copy.body, copy.version) == (
        "email",
        "RDV ((date))",
        "Oui.",
        1,
    )
    source.refresh_from_db()
    assert (source.body, source.version) == ("Venez.", 1)


def test_copy_of_an_sms_template_is_an_sms_template(client, service):
    source = factories.sms_template(service=service, name="x" * 255)
    url = reverse("templates_app:template-copy", args=[service.id, source.id])

    form = client.get(url).content.decode()
    client.post(url, {"name": "Code bis", "body": "Code : ((code))"})

    assert f'value="{"x" * 255}"' in form  # cut to the field's length
    assert 'id="preview-sms-summary"' in form
    copy = Template.objects.get(service=service, name="Code bis")
    assert copy.channel == "sms"


def test_copy_refuses_a_template_of_another_service(client, service):
    other = factories.service()
    theirs = factories.email_template(service=other)

    response = client.get(
        reverse("templates_app:template-copy", args=[service.id, theirs.id])
    )

    assert response.status_code == 404


# Archiving and unarchiving


def test_archived_template_page_offers_to_put_it_back_in_service(client, service):
    template = factories.email_template(service=service, name="Ancien")
    template_actions.template_archive(template=template)
    page_url = reverse("templates_app:template-detail", args=[service.id, template.id])

    page = client.get(page_url).content.decode()
    response = client.post(
        reverse("templates_app:template-unarchive", args=[service.id, template.id])
    )

    assert "Remettre en service" in page and "Envoyer avec ce modèle" not in page
    assert response["Location"] == page_url
    template.refresh_from_db()
    assert not template.archived
    assert "Ancien</a>" in list_names(client, service)


def test_unarchive_needs_the_manage_templates_permission(service):
    template = factories.email_template(service=service)
    template_actions.template_archive(template=template)
    viewer = factories.user()
    service_actions.member_add(
        service=service, user=viewer, permissions=("view_activity",)
    )
    viewer_client = verified_client(viewer)

    page = viewer_client.get(
        reverse("templates_app:template-detail", args=[service.id, template.id])
    ).content.decode()
    response = viewer_client.post(
        reverse("templates_app:template-unarchive", args=[service.id, template.id])
    )

    assert "Remettre en service" not in page
    assert response.status_code == 403
    template.refresh_from_db()
    assert template.archived
