"""Placeholders: names, matching, conditionals, value formatting, missing
values."""

import pytest

from templates_app import rendering
from templates_app.language import placeholders as language


def sms_body(body: str, **personalisation) -> str:
    return rendering.render_sms(body=body, personalisation=personalisation).body


def test_placeholders_lists_names_as_first_written_in_order_of_appearance():
    names = rendering.placeholders(
        "Bonjour ((Prénom))", "((prénom)), dossier ((ref)) ((show??texte)) ((ref))"
    )

    assert names == ["Prénom", "ref", "show"]


def test_placeholders_ignores_blank_names_and_handles_nested_parentheses():
    assert rendering.placeholders("(( )) [lien](((url))) (((x)))") == ["url", "x"]


def test_placeholders_accepts_empty_and_missing_texts():
    assert rendering.placeholders("", None) == []


@pytest.mark.parametrize("key", ["first_name", "FIRST-NAME", "First Name", "firstname"])
def test_placeholder_matches_value_ignoring_case_spaces_underscores_hyphens(key):
    assert sms_body("Bonjour ((First name))", **{key: "Zoé"}) == "Bonjour Zoé"


def test_placeholder_keeps_accents_when_matching():
    with pytest.raises(rendering.MissingPersonalisationError):
        rendering.render_sms(body="((prénom))", personalisation={"prenom": "x"})


@pytest.mark.parametrize(
    "value", ["yes", "Y", "TRUE", "t", "1", "include", "Show", "oui", "Vrai", True, 1]
)
def test_conditional_shows_text_when_value_is_truthy(value):
    assert sms_body("Bonjour((late?? vous êtes en retard)).", late=value) == (
        "Bonjour vous etes en retard."
    )


@pytest.mark.parametrize(
    "value", ["no", "non", "false", "0", "", "peut-être", False, 0]
)
def test_conditional_hides_text_when_value_is_not_truthy(value):
    assert sms_body("Bonjour((late?? vous êtes en retard)).", late=value) == "Bonjour."


def test_conditional_placeholder_still_needs_a_value():
    with pytest.raises(rendering.MissingPersonalisationError) as raised:
        rendering.render_sms(body="A ((late??retard))", personalisation={})

    assert raised.value.names == ["late"]


def test_missing_values_are_reported_all_at_once_in_order_of_appearance():
    with pytest.raises(rendering.MissingPersonalisationError) as raised:
        rendering.render_email(
            subject="((Objet)) ((b))",
            body="((a)) ((B)) ((c)) ((A))",
            personalisation={"c": "ok", "objet": None},
        )

    assert str(raised.value) == "Missing personalisation: Objet, b, a"
    assert raised.value.names == ["Objet", "b", "a"]


def test_extra_personalisation_keys_are_ignored():
    assert sms_body("Code ((code))", code="1234", other="x") == "Code 1234"


def test_empty_string_value_is_given_not_missing():
    assert sms_body("Code ((code)) fin", code="") == "Code fin"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (12, "12"),
        (0, "0"),
        (-3, "-3"),
        (2.5, "2.5"),
        (True, "oui"),
        (False, "non"),
        ({"a": 1}, '{"a": 1}'),
        ("a\x00b\x07c", "abc"),
    ],
)
def test_values_are_written_as_text(value, written):
    assert language.format_value(value) == written


def test_huge_integer_is_written_without_error():
    assert language.format_value(10**5000).startswith("1.000000000000000e+5000")
    assert language.format_value({"n": 10**5000}) == "…"
    assert language.format_value([[10**5000]]) == ("…",)


def test_lone_surrogate_becomes_replacement_character():
    assert language.format_value("a\ud800b") == "a\ufffdb"


def test_list_value_keeps_non_empty_items():
    assert language.format_value(["un", None, "", "  ", 2, True]) == (
        "un",
        "2",
        "oui",
    )


@pytest.mark.parametrize(
    ("items", "written"),
    [
        ([], "Pièces :."),
        (["passeport"], "Pièces : passeport."),
        (["passeport", "photo"], "Pièces : passeport et photo."),
        (["a", "b", "c"], "Pièces : a, b et c."),
    ],
)
def test_list_value_reads_as_french_enumeration_in_sms(items, written):
    assert sms_body("Pièces : ((list)).", list=items) == written
