"""Properties of the template language, checked by hypothesis. Each runs a
modest number of examples by default and many more with ``--run-slow``."""

import math
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from templates_app import rendering
from templates_app.language.lists import MAX_LIST_DEPTH
from tests.templates_app.html_tree import parse, tags

FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
EXHAUSTIVE = settings(
    max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Any character, lone surrogates included (JSON can carry them).
any_character = st.characters(codec=None, categories=None)
any_text = st.text(any_character, max_size=40)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | any_text
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=3)
    ),
    max_leaves=8,
)

MARKDOWN_PIECES = [
    "# ",
    "## ",
    "### ",
    "* ",
    "- ",
    "• ",
    "1. ",
    "3. ",
    "\n  * ",
    "\n    1. ",
    "\n\t- ",
    "\n      • ",
    "\n          2. ",
    "^ ",
    "---",
    "\n",
    "\n\n",
    "[lien](",
    ")",
    "](",
    "[",
    "]",
    "<",
    ">",
    "https://x.fr/",
    "mailto:a@b.fr",
    "\\",
    "*",
    "_",
    "`",
    '"',
    "'",
    " - ",
    " : ",
    " ! ",
    "«",
    "»",
    "((a))",
    "((B))",
    "((c??conditionnel))",
    "(((a)))",
    "<((b))>",
    "texte",
    " ",
    "é",
]
markdown_sources = st.lists(
    st.sampled_from(MARKDOWN_PIECES) | st.text(max_size=5), max_size=30
).map("".join)

# Lines of lists at many indentations, so that sub-lists, returns to a
# level, kind changes and the depth limit come up often.
list_lines = st.tuples(
    st.integers(0, 6).map("  ".__mul__) | st.sampled_from([" ", "   ", "\t", "\t  "]),
    st.sampled_from(["* ", "- ", "• ", "1. ", "2. ", "", "^ ", "## ", "---"]),
    st.sampled_from(["texte", "((a))", "((B))", "((c??oui))", "[lien](((a)))", ""]),
).map("".join)
list_sources = st.lists(list_lines, max_size=14).map("\n".join)

EVERY_FEATURE = (
    "# Titre ((a))\n\n## Sous-titre\n\nBonjour ((a)), ((b))\nligne ((c??cond))\n\n"
    "* ((a))\n* puce ((b))\n  * ((c))\n    1. ((a))\n      - ((b))\n        * ((c))\n"
    "\n1. ((a))\n2. deux\n   * ((b))\n\n^ ((b)) encart\n\n---\n\n"
    "[lien ((a))](((b))) <((c))> https://x.fr/((a)) ((a))"
)

text_values = (
    any_text
    | st.sampled_from(
        [
            "[lien](https://evil.example)",
            "https://evil.example",
            "<a href='https://evil.example'>x</a>",
            "# Titre\n* liste\n---",
            "javascript:alert(1)",
            '"><script>alert(1)</script>',
            "((a))",
        ]
    )
    | st.integers()
    | st.booleans()
)


def _personalisation_for(names, values):
    return dict(zip(names, values, strict=False))


# Rendering never raises on any personalisation


def check_rendering_never_raises(source, values):
    names = rendering.placeholders("((s))", source)
    personalisation = _personalisation_for(names, values)
    try:
        email = rendering.render_email(
            subject="((s)) ((a))", body=source, personalisation=personalisation
        )
        parse(email.html)
    except (rendering.MissingPersonalisationError, rendering.EmptyMessageError):
        pass
    try:
        rendering.render_sms(body=source, personalisation=personalisation)
    except rendering.RenderingError:
        pass


rendering_inputs = (
    markdown_sources | list_sources,
    st.lists(json_values, min_size=5, max_size=8),
)


@FAST
@given(*rendering_inputs)
def test_rendering_never_raises_on_any_personalisation(source, values):
    check_rendering_never_raises(source, values)


@pytest.mark.slow
@EXHAUSTIVE
@given(*rendering_inputs)
def test_rendering_never_raises_on_any_personalisation_exhaustive(source, values):
    check_rendering_never_raises(source, values)


# No value can produce markup or a link


def _tag_counts(html: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for tag in tags(html):
        if tag != "br":
            counts[tag] = counts.get(tag, 0) + 1
    return counts


def _body_html(source: str, personalisation: dict) -> str:
    try:
        return rendering.render_email(
            subject="Objet", body=source, personalisation=personalisation
        ).html_body
    except rendering.EmptyMessageError:
        return ""


def check_values_produce_no_markup(source, values):
    names = rendering.placeholders(source)
    given_values = _personalisation_for(names, values)
    assume(len(given_values) == len(names))
    rendered = _body_html(source, given_values)

    # The most markup values can bring out of a template: every conditional
    # shown and every slot filled ("oui"), or every link target valid (an
    # address). No one value does both, so tags are bounded by the larger of
    # the two references, and links (from targets, or written in a shown
    # conditional) by their sum.
    shown = _tag_counts(_body_html(source, dict.fromkeys(names, "oui")))
    linked = _tag_counts(_body_html(source, dict.fromkeys(names, "https://x.fr/")))
    allowed = {tag: max(shown.get(tag, 0), linked.get(tag, 0)) for tag in shown}
    allowed.update({tag: linked[tag] for tag in linked if tag not in shown})
    allowed["a"] = shown.get("a", 0) + linked.get("a", 0)
    counts = _tag_counts(rendered)
    assert all(counts[tag] <= allowed.get(tag, 0) for tag in counts), (counts, allowed)
    for link in parse(rendered).find_all("a"):
        assert link.attrs["href"].lower().startswith(("https://", "http://", "mailto:"))
        assert set(link.attrs) == {"href", "style"}


markup_inputs = (
    st.one_of(st.just(EVERY_FEATURE), markdown_sources, list_sources),
    st.lists(text_values, min_size=4, max_size=4),
)


@FAST
@given(*markup_inputs)
def test_no_value_produces_markup_or_a_link(source, values):
    check_values_produce_no_markup(source, values)


@pytest.mark.slow
@EXHAUSTIVE
@given(*markup_inputs)
def test_no_value_produces_markup_or_a_link_exhaustive(source, values):
    check_values_produce_no_markup(source, values)


# Lists nest only inside an item, at most four deep


def _list_depths(element, depth: int = 0, inside=None) -> list[tuple[int, str]]:
    """(depth, parent tag) for every ``ul`` and ``ol`` under ``element``."""
    found = []
    for child in element.children:
        if isinstance(child, str):
            continue
        if child.tag in {"ul", "ol"}:
            found.append((depth + 1, inside))
            found.extend(_list_depths(child, depth + 1, child.tag))
        else:
            found.extend(_list_depths(child, depth, child.tag))
    return found


def check_lists_nest_in_items(source, values):
    names = rendering.placeholders(source)
    personalisation = _personalisation_for(names, values)
    assume(len(personalisation) == len(names))
    try:
        rendered = rendering.render_email(
            subject="Objet", body=source, personalisation=personalisation
        )
    except rendering.EmptyMessageError:
        return

    for depth, parent in _list_depths(parse(rendered.html_body)):
        assert depth <= MAX_LIST_DEPTH
        assert parent == ("td" if depth == 1 else "li")


nesting_inputs = (
    st.one_of(st.just(EVERY_FEATURE), markdown_sources, list_sources),
    st.lists(text_values | st.lists(any_text, max_size=3), min_size=4, max_size=4),
)


@FAST
@given(*nesting_inputs)
def test_lists_nest_only_inside_an_item_and_at_most_four_deep(source, values):
    check_lists_nest_in_items(source, values)


@pytest.mark.slow
@EXHAUSTIVE
@given(*nesting_inputs)
def test_lists_nest_only_inside_an_item_and_at_most_four_deep_exhaustive(
    source, values
):
    check_lists_nest_in_items(source, values)


# Subjects stay on one line

LINE_BREAKING = set("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00")


def check_subject_on_one_line(subject, values):
    names = rendering.placeholders(subject)
    personalisation = dict.fromkeys(names, "")
    personalisation.update(_personalisation_for(names, values))
    try:
        rendered = rendering.render_email(
            subject=subject, body="Corps", personalisation=personalisation
        )
    except rendering.MissingPersonalisationError:
        return
    assert not LINE_BREAKING & set(rendered.subject)
    assert not any(unicodedata.category(c) == "Cc" for c in rendered.subject)
    assert rendered.subject == rendered.subject.strip()


subject_inputs = (
    st.lists(st.sampled_from(["((a))", "((b??x\ny))", "\n", "\r\n"]) | any_text).map(
        "".join
    ),
    st.lists(json_values, min_size=2, max_size=2),
)


@FAST
@given(*subject_inputs)
def test_subject_never_contains_line_breaks_or_nul(subject, values):
    check_subject_on_one_line(subject, values)


@pytest.mark.slow
@EXHAUSTIVE
@given(*subject_inputs)
def test_subject_never_contains_line_breaks_or_nul_exhaustive(subject, values):
    check_subject_on_one_line(subject, values)


# Fragment counts: an independent oracle, and never fewer for more text

# GSM 03.38's default alphabet, by code position (3GPP TS 23.038 §6.2.1),
# and the characters of its extension table other than the form feed.
GSM_TABLE = [
    0x40, 0xA3, 0x24, 0xA5, 0xE8, 0xE9, 0xF9, 0xEC, 0xF2, 0xC7, 0x0A, 0xD8,
    0xF8, 0x0D, 0xC5, 0xE5, 0x394, 0x5F, 0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0,
    0x3A8, 0x3A3, 0x398, 0x39E, 0x1B, 0xC6, 0xE6, 0xDF, 0xC9,
    *range(0x20, 0x24), 0xA4, *range(0x25, 0x40), 0xA1, *range(0x41, 0x5B),
    0xC4, 0xD6, 0xD1, 0xDC, 0xA7, 0xBF, *range(0x61, 0x7B), 0xE4, 0xF6, 0xF1,
    0xFC, 0xE0,
]  # fmt: skip
GSM_EXTENSION = [0x5E, 0x7B, 0x7D, 0x5C, 0x5B, 0x7E, 0x5D, 0x7C, 0x20AC]


def oracle(content: str) -> tuple[str, int]:
    """Encoding and fragments, computed from the 3GPP tables directly."""
    assert len(GSM_TABLE) == 128
    if all(ord(c) in GSM_TABLE or ord(c) in GSM_EXTENSION for c in content):
        septets = sum(2 if ord(c) in GSM_EXTENSION else 1 for c in content)
        single, multi = 160, 153
        size = septets
        encoding = "gsm"
    else:
        size = len(content.encode("utf-16-le")) // 2
        single, multi = 70, 67
        encoding = "ucs2"
    return encoding, 1 if size <= single else math.ceil(size / multi)


sms_alphabet = st.sampled_from(
    list("aZ09 .,:;!?'\"-\n@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà")
    + list("^{}\\[~]|€")
    + list("âçêëîïôûÿœÀÂÈÊËÎÏÔÙÛŸŒ’‘“”«»–—…\u00a0\u202f\u200b\t\r")
    + ["🙂", "Я", "你", "م", "\u0301", "\u0302", "ﬁ", "ﬃ", "½", "ᄀ", "ᅡ"]
)
sms_texts = st.text(sms_alphabet, min_size=1, max_size=400) | st.text(
    any_character, min_size=1, max_size=200
)


def _sms(text: str, prefix: str = "") -> rendering.RenderedSms | None:
    try:
        return rendering.render_sms(
            body="((x))", personalisation={"x": text}, prefix=prefix, check_length=False
        )
    except rendering.EmptyMessageError:
        return None


def check_fragments_match_oracle(text, prefix):
    rendered = _sms(text, prefix)
    assume(rendered is not None)
    assert (rendered.encoding, rendered.fragment_count) == oracle(rendered.content)
    assert rendered.character_count == len(rendered.body.encode("utf-16-le")) // 2


fragment_inputs = (sms_texts, st.sampled_from(["", "Mairie", "Hôtel de Ville 🏛"]))


@FAST
@given(*fragment_inputs)
def test_fragment_count_equals_independent_oracle(text, prefix):
    check_fragments_match_oracle(text, prefix)


@pytest.mark.slow
@EXHAUSTIVE
@given(*fragment_inputs)
def test_fragment_count_equals_independent_oracle_exhaustive(text, prefix):
    check_fragments_match_oracle(text, prefix)


def check_appending_never_lowers_fragments(text, appended):
    before = _sms(text)
    after = _sms(text + appended)
    assume(before is not None and after is not None)
    assert after.fragment_count >= before.fragment_count


append_inputs = (sms_texts, sms_alphabet | any_character)


@FAST
@given(*append_inputs)
def test_appending_a_character_never_lowers_the_fragment_count(text, appended):
    check_appending_never_lowers_fragments(text, appended)


@pytest.mark.slow
@EXHAUSTIVE
@given(*append_inputs)
def test_appending_a_character_never_lowers_the_fragment_count_exhaustive(
    text, appended
):
    check_appending_never_lowers_fragments(text, appended)


def test_oracle_agrees_on_known_messages():
    assert oracle("a" * 160) == ("gsm", 1)
    assert oracle("€" * 81) == ("gsm", 2)
    assert oracle("é" * 161) == ("gsm", 2)
    assert oracle("ê" * 70) == ("ucs2", 1)
    assert oracle("🙂" * 36) == ("ucs2", 2)


def test_long_message_of_letters_kept_in_ucs2_costs_no_less_than_in_gsm():
    gsm = _sms("œ" * 459)
    ucs2 = _sms("œ" * 459 + "🙂")

    assert (gsm.encoding, ucs2.encoding) == ("gsm", "ucs2")
    assert ucs2.fragment_count >= gsm.fragment_count
