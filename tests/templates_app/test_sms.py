"""Text messages: normalisation, encoding, fragments, limit, prefix and
what each character costs."""

import pytest

from templates_app import rendering
from templates_app.language import sms


def render(body: str, prefix: str = "", **personalisation) -> rendering.RenderedSms:
    return rendering.render_sms(
        body=body, personalisation=personalisation, prefix=prefix
    )


# Normalisation


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ("l’usager ‘x’ `y´", "l'usager 'x' 'y'"),
        ("“citation” „bas“", '"citation" "bas"'),
        ("« Bonjour » et «\u00a0là\u202f»", '"Bonjour" et "là"'),
        ("a‐b‑c‒d–e—f―g−h", "a-b-c-d-e-f-g-h"),
        ("Attendez…", "Attendez..."),
        ("a\u00a0b\u202fc\u2009d\te", "a b c d e"),
        ("a\u200bb\u200cc\u200dd\u2060e\ufeff\u00adf", "abcdef"),
        ("n° 12, 1ª, 2º", "no 12, 1a, 2o"),
        ("• un · deux × 3 ½", "- un. deux x 3 1/2"),
        ("ligne\u2028suivante", "ligne\nsuivante"),
    ],
)
def test_punctuation_and_spaces_are_normalised(written, sent):
    assert render(written).body == sent


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ("  Bonjour   à   tous  ", "Bonjour à tous"),
        ("un\r\ndeux\rtrois", "un\ndeux\ntrois"),
        ("un  \n   deux", "un\ndeux"),
        ("un\n\n\n\n\ndeux", "un\n\ndeux"),
        ("Fin .  Puis , suite", "Fin. Puis, suite"),
        ("Code : 1234 ; merci ! Pourquoi ?", "Code : 1234 ; merci ! Pourquoi ?"),
        ("\n\n  texte \n\n", "texte"),
    ],
)
def test_layout_is_normalised_with_french_spacing_kept(written, sent):
    assert render(written).body == sent


FRENCH_DOWNGRADES = {
    "â": "a",
    "ç": "c",
    "ê": "e",
    "ë": "e",
    "î": "i",
    "ï": "i",
    "ô": "o",
    "û": "u",
    "ÿ": "y",
    "œ": "oe",
    "À": "A",
    "Â": "A",
    "È": "E",
    "Ê": "E",
    "Ë": "E",
    "Î": "I",
    "Ï": "I",
    "Ô": "O",
    "Ù": "U",
    "Û": "U",
    "Ÿ": "Y",
    "Œ": "OE",
}


@pytest.mark.parametrize(("letter", "sent"), sorted(FRENCH_DOWNGRADES.items()))
def test_french_letter_missing_from_gsm_is_downgraded(letter, sent):
    rendered = render(f"x{letter}x")

    assert rendered.body == f"x{sent}x"
    assert rendered.encoding == "gsm"
    assert rendered.replaced_characters == ((letter, sent),)
    assert sms.character_rule(letter).kind == sms.KIND_LETTER


@pytest.mark.parametrize("letter", list("àéèùìòäöüñÉÇÄÖÜÆæØøÅåß"))
def test_french_letter_in_gsm_is_kept(letter):
    rendered = render(f"x{letter}x")

    assert rendered.body == f"x{letter}x"
    assert rendered.encoding == "gsm"
    assert rendered.replaced_characters == ()


def test_other_accented_latin_letters_lose_their_accent():
    assert render("á ő ł Ŵ ŷ ﬁ e\u0301 x\u0302").body == "a o l W y fi é x"


def test_decomposed_letters_are_composed_first():
    assert render("pre\u0302t").body == "pret"


@pytest.mark.parametrize(
    "text", ["Привіт", "مرحبا", "你好", "Γειά", "שלום", "🙂", "✓ fait", "ॐ"]
)
def test_character_without_gsm_equivalent_is_kept_and_forces_ucs2(text):
    rendered = render(text)

    assert rendered.body == text
    assert rendered.encoding == "ucs2"
    assert rendered.unicode_characters


def test_french_letters_are_kept_when_ucs2_is_needed_anyway():
    rendered = render("Prêt ? Ça marche 🙂 — « oui »")

    assert rendered.body == 'Prêt ? Ça marche 🙂 - "oui"'
    assert rendered.unicode_characters == ("🙂",)
    assert ("ê", "e") not in rendered.replaced_characters
    assert ("—", "-") in rendered.replaced_characters


def test_control_characters_are_removed():
    assert render("a\x00b\x1bc\x07d\x0ce").body == "abcde"


# Encoding and fragments


@pytest.mark.parametrize(
    ("length", "fragments"),
    [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4), (918, 6)],
)
def test_gsm_fragments(length, fragments):
    rendered = render("a" * length)

    assert (rendered.encoding, rendered.fragment_count) == ("gsm", fragments)


@pytest.mark.parametrize(("count", "fragments"), [(80, 1), (81, 2), (153, 2), (154, 3)])
def test_extended_gsm_characters_count_twice(count, fragments):
    rendered = render("€" * count)

    assert rendered.fragment_count == fragments
    assert rendered.character_count == count
    assert rendered.extended_characters == ("€",)


def test_every_extended_character_is_reported():
    rendered = render("^{}\\[~]|€")

    assert rendered.fragment_count == 1
    assert set(rendered.extended_characters) == set("^{}\\[~]|€")


@pytest.mark.parametrize(
    ("length", "fragments"),
    [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)],
)
def test_ucs2_fragments(length, fragments):
    rendered = render("Я" * length)

    assert (rendered.encoding, rendered.fragment_count) == ("ucs2", fragments)


def test_characters_outside_the_bmp_count_as_two_code_units():
    assert render("🙂" * 35).fragment_count == 1
    assert render("🙂" * 36).fragment_count == 2
    assert render("🙂" * 36).character_count == 72


# Limit and empty messages


def test_message_of_918_characters_is_accepted():
    assert render("a" * 918).character_count == 918


def test_message_over_918_characters_is_refused_with_notify_message():
    with pytest.raises(rendering.MessageTooLongError) as raised:
        render("((x))", x="a" * 919)

    assert str(raised.value) == (
        "Your message is too long. Text messages cannot be longer than 918 "
        "characters. Your message is 919 characters long."
    )
    assert (raised.value.length, raised.value.limit) == (919, 918)


def test_limit_does_not_double_extended_characters_nor_count_the_prefix():
    rendered = render("€" * 918, prefix="Mairie de Lyon")

    assert rendered.character_count == 918
    assert rendered.fragment_count == 13


def test_length_check_can_be_left_to_the_caller():
    rendered = rendering.render_sms(
        body="a" * 1000, personalisation={}, check_length=False
    )

    assert rendered.is_too_long
    with pytest.raises(rendering.MessageTooLongError):
        rendered.check_length()


@pytest.mark.parametrize("value", ["", "   ", "\n\n", "\u200b\ufeff"])
def test_empty_message_is_refused(value):
    with pytest.raises(rendering.EmptyMessageError) as raised:
        render("((x))", x=value)

    assert str(raised.value) == "Your message is empty."


# Prefix


def test_prefix_is_sent_and_billed_but_not_in_the_body():
    rendered = render("a" * 150, prefix="Préfecture du Nord")

    assert rendered.body == "a" * 150
    assert rendered.content == "Préfecture du Nord: " + "a" * 150
    assert rendered.character_count == 150
    assert rendered.fragment_count == 2


def test_prefix_is_normalised_like_the_body():
    rendered = render("Bonjour", prefix="  Hôtel de   Ville :  ")

    assert rendered.content == "Hotel de Ville: Bonjour"
    assert ("ô", "o") in rendered.replaced_characters


def test_prefix_with_characters_outside_gsm_makes_the_message_ucs2():
    rendered = render("a" * 59, prefix="Mairie 🏛")

    assert rendered.body == "a" * 59
    assert (rendered.encoding, rendered.fragment_count) == ("ucs2", 1)
    assert render("a" * 60, prefix="Mairie 🏛").fragment_count == 2


# What characters cost


def test_cost_notes_report_downgraded_letters_and_double_characters():
    assert render("Prêt : 10 € [x] œuvre").cost_notes() == [
        "« [ », « ] » et « € » comptent chacun pour 2 caractères.",
        "Lettres simplifiées à l’envoi (absentes de l’alphabet SMS standard, "
        "elles feraient passer le message en Unicode) : « ê » devient « e » "
        "et « œ » devient « oe ».",
    ]


def test_cost_notes_report_replaced_punctuation_apart_from_letters():
    assert render("L’accueil… fermé").cost_notes() == [
        "Signes remplacés à l’envoi : « ’ » devient « ' » et « … » devient « ... »."
    ]


def test_cost_notes_name_what_forces_ucs2_and_the_letters_it_keeps():
    rendered = render("Prêt : 10 € 🙂 ça l’été")

    notes = rendered.cost_notes()

    assert rendered.kept_letters() == ("ç", "ê")
    assert notes[0].startswith("« 🙂 » n’est pas dans l’alphabet SMS standard")
    assert "70 caractères par SMS au lieu de 160" in notes[0]
    assert notes[1] == (
        "Les lettres « ç » et « ê » sont donc envoyées telles quelles, sans "
        "coût supplémentaire."
    )
    # In UCS-2 the euro counts once; the apostrophe is still replaced.
    assert notes[2:] == ["Signes remplacés à l’envoi : « ’ » devient « ' »."]


def test_cost_notes_are_empty_for_a_plain_gsm_message():
    assert render("Votre code : 1234").cost_notes() == []


def test_gsm_alphabet_has_128_basic_and_9_extended_characters():
    assert len(set(sms.GSM_BASIC)) == 128
    assert len(set(sms.GSM_EXTENDED)) == 10  # with the form feed
