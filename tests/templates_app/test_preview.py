"""Previews for the API's preview endpoint and the back office."""

import pytest

from templates_app import rendering
from tests.templates_app.html_tree import parse


def test_email_preview_with_given_values_has_the_api_fields():
    preview = rendering.preview(
        channel="email",
        subject="Dossier ((ref))",
        body="Bonjour ((name))",
        personalisation={"ref": "A1", "name": "Zoé"},
    )

    assert preview.api_fields() == {
        "body": "Bonjour Zoé",
        "html": preview.html_body,
        "subject": "Dossier A1",
    }
    assert parse(preview.html_body).text == "Bonjour Zoé"
    assert preview.html.startswith("<!DOCTYPE html>")
    assert preview.placeholders == ("ref", "name")
    assert preview.samples == ()


def test_preview_without_samples_reports_missing_values_like_the_api():
    with pytest.raises(rendering.MissingPersonalisationError) as raised:
        rendering.preview(channel="email", subject="((a))", body="((b))")

    assert str(raised.value) == "Missing personalisation: a, b"


def test_preview_with_samples_shows_missing_values_highlighted():
    preview = rendering.preview(
        channel="email",
        subject="Dossier ((ref))",
        body="Bonjour ((Name)), ((ref))",
        personalisation={"ref": "A1"},
        use_samples=True,
    )

    assert preview.samples == ("Name",)
    assert preview.body == "Bonjour ((Name)), A1"
    marks = parse(preview.html_body).find_all("mark")
    assert [mark.text for mark in marks] == ["((Name))"]


def test_sms_preview_counts_fragments_and_encoding_with_prefix():
    preview = rendering.preview(
        channel="sms",
        body="Votre code : ((code)) €",
        personalisation={"code": "1234"},
        sms_prefix="Mairie",
    )

    assert preview.api_fields() == {
        "body": "Votre code : 1234 €",
        "html": None,
        "subject": None,
    }
    assert preview.text == "Mairie: Votre code : 1234 €"
    assert preview.sms.fragment_count == 1
    assert preview.sms.encoding == "gsm"
    assert preview.sms.extended_characters == ("€",)


def test_sms_preview_reports_but_does_not_refuse_a_long_message():
    preview = rendering.preview(channel="sms", body="a" * 1000)

    assert preview.sms.is_too_long
    assert preview.sms.fragment_count == 7


def test_email_preview_uses_branding():
    preview = rendering.preview(
        channel="email",
        subject="Objet",
        body="Corps",
        service_name="Mairie",
        branding="neutral",
    )

    assert "République" not in preview.html
    assert "Mairie" in preview.html


def test_preview_enforces_the_length_limit_only_when_asked():
    with pytest.raises(rendering.MessageTooLongError):
        rendering.preview(channel="sms", body="a" * 1000, check_length=True)


def test_preview_raises_for_an_empty_message():
    with pytest.raises(rendering.EmptyMessageError):
        rendering.preview(channel="sms", body="((code))", personalisation={"code": ""})


def test_email_preview_shows_the_given_logo():
    preview = rendering.preview(
        channel="email",
        subject="Objet",
        body="Corps",
        service_name="Mairie",
        logo_url="https://bo.exemple.gouv.fr/static/marianne.png",
    )

    assert 'src="https://bo.exemple.gouv.fr/static/marianne.png"' in preview.html


PERSONALISATION = {
    "name": "Zoé « la grande »",
    "ref": ["A1", "B2"],
    "show": "oui",
    "code": 1234,
}


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Dossier ((ref))", "# Titre\n\nBonjour ((name)),\n\n* ((ref))\n\n^ Encadré"),
        ("((name))", "((show??Visible)) [lien](https://exemple.gouv.fr) ((code))"),
    ],
)
def test_preview_api_fields_equal_the_renders_the_api_used_for_an_email(subject, body):
    email = rendering.render_email(
        subject=subject, body=body, personalisation=PERSONALISATION
    )

    shown = rendering.preview(
        channel="email",
        subject=subject,
        body=body,
        personalisation=PERSONALISATION,
        check_length=True,
    )

    assert shown.api_fields() == {
        "body": email.body,
        "html": email.html_body,
        "subject": email.subject,
    }


@pytest.mark.parametrize(
    "body", ["Code ((code)) pour ((name)) : ((ref))", "Prêt… ((show??oui)) 🙂 €"]
)
def test_preview_api_fields_equal_the_render_the_api_used_for_a_text(body):
    sms = rendering.render_sms(body=body, personalisation=PERSONALISATION)

    shown = rendering.preview(
        channel="sms", body=body, personalisation=PERSONALISATION, check_length=True
    )

    assert shown.api_fields() == {"body": sms.body, "html": None, "subject": None}
