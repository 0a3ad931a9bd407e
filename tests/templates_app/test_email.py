"""Emails: subject, markdown body, HTML and plain-text parts, layout and
branding, sanitised content, limits."""

import pytest

from templates_app import rendering
from tests.templates_app.html_tree import parse, tags

NBSP = "\u00a0"


def render(body: str, subject: str = "Objet", **kwargs) -> rendering.RenderedEmail:
    personalisation = kwargs.pop("personalisation", {})
    return rendering.render_email(
        subject=subject, body=body, personalisation=personalisation, **kwargs
    )


def body_tags(body: str, **personalisation) -> list[str]:
    return tags(render(body, personalisation=personalisation).html_body)


# Subject


def test_subject_is_filled_on_one_line_with_french_typography():
    rendered = render(
        "Corps",
        subject='Bonjour ((name)) !\r\n\tVotre  dossier - l\'avis "final"',
        personalisation={"name": "Zoé"},
    )

    assert rendered.subject == (f"Bonjour Zoé{NBSP}! Votre dossier – l’avis “final”")


@pytest.mark.parametrize(
    "value", ["a\nb", "a\r\nb", "a\u2028b", "a\x0bb", "a\x00\nb", "a\u200b\u2029b"]
)
def test_subject_value_cannot_break_the_header_line(value):
    subject = render("Corps", subject="((x))", personalisation={"x": value}).subject

    assert subject == "a b" or subject == "ab"
    assert not any(character in subject for character in "\n\r\x00\x0b\u2028")


def test_subject_writes_list_values_inline_and_conditionals():
    rendered = render(
        "Corps",
        subject="((docs)) ((urgent??– urgent))",
        personalisation={"docs": ["a", "b", "c"], "urgent": "oui"},
    )

    assert rendered.subject == "a, b et c – urgent"


def test_subject_keeps_straight_quote_in_email_address():
    rendered = render(
        "Corps", subject="Écrire à ((to))", personalisation={"to": "o'neil@x.fr"}
    )

    assert rendered.subject == "Écrire à o'neil@x.fr"


# content.body


def test_body_is_markdown_source_with_raw_values_and_markdown_lists():
    rendered = render(
        "# Titre\n\nBonjour ((name)) ((show??visible))\n\nPièces :((docs))\n\n",
        personalisation={"name": "<b>Zoé</b>", "show": "yes", "docs": ["a", "b"]},
    )

    assert rendered.body == (
        "# Titre\n\nBonjour <b>Zoé</b> visible\n\nPièces :\n\n* a\n* b"
    )


def test_body_conditional_hidden_and_empty_list_write_nothing():
    rendered = render(
        "A((show??B))((docs))C", personalisation={"show": "no", "docs": []}
    )

    assert rendered.body == "AC"


# Markdown to HTML


def test_headings_are_two_levels_and_deeper_ones_are_paragraphs():
    html = render("# Un\n## Deux\n### Trois\n#RGPD").html_body
    tree = parse(html)

    assert [h.text for h in tree.find_all("h1")] == ["Un"]
    assert [h.text for h in tree.find_all("h2")] == ["Deux"]
    assert [p.text for p in tree.find_all("p")] == ["Trois", "#RGPD"]


@pytest.mark.parametrize("marker", ["*", "-", "+", "•"])
def test_bullet_list_markers(marker):
    tree = parse(render(f"{marker} un\n{marker} deux").html_body)

    assert [li.text for li in tree.find_all("li")] == ["un", "deux"]
    assert tree.find_all("ul") and not tree.find_all("p")


def test_list_follows_a_paragraph_line_and_continues_after_blank_lines():
    tree = parse(render("Pièces :\n* un\n\n* deux\nsuite\n\nFin").html_body)

    assert [p.text for p in tree.find_all("p")] == [f"Pièces{NBSP}:", "Fin"]
    assert [li.text for li in tree.find_all("li")] == ["un", "deuxsuite"]
    assert tree.find_all("li")[1].find_all("br")


def test_numbered_list_keeps_its_first_number():
    tree = parse(render("3. trois\n4. quatre").html_body)

    assert tree.find_all("ol")[0].attrs["start"] == "3"
    assert [li.text for li in tree.find_all("li")] == ["trois", "quatre"]


def test_number_other_than_one_does_not_interrupt_a_paragraph():
    tree = parse(render("Nous sommes en\n2024. Bonne année").html_body)

    assert not tree.find_all("ol")
    assert len(tree.find_all("p")) == 1


def test_inset_text_with_paragraphs_and_lazy_continuation():
    tree = parse(render("^ Attention\nsuite\n^\n^ Second\n\nAprès").html_body)
    inset = tree.find_all("blockquote")[0]

    assert [p.text for p in inset.find_all("p")] == ["Attentionsuite", "Second"]
    assert tree.find_all("p")[-1].text == "Après"


@pytest.mark.parametrize("rule", ["---", "***", "___", "- - -", "  *****"])
def test_horizontal_rule(rule):
    assert body_tags(f"Avant\n{rule}\nAprès") == ["p", "hr", "p"]


def test_newline_is_a_line_break_and_blank_line_a_paragraph():
    tree = parse(render("un\ndeux\n\n\n\ntrois").html_body)

    assert [p.text for p in tree.find_all("p")] == ["undeux", "trois"]
    assert len(tree.find_all("br")) == 1


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        (
            "*emphase* _souligné_ **gras** ~~barré~~ `code`",
            "*emphase* _souligné_ **gras** ~~barré~~ `code`",
        ),
        ("![image](https://x.fr/a.png)", "![image](https://x.fr/a.png)"),
        ("| a | b |\n|---|---|", "| a | b ||---|---|"),
        (
            "<script>alert(1)</script><b>gras</b>",
            "<script>alert(1)</script><b>gras</b>",
        ),
        ("    bloc de code", "bloc de code"),
    ],
)
def test_unsupported_markdown_and_html_are_shown_as_written(source, shown):
    html = render(source).html_body

    assert set(tags(html)) <= {"p", "br"}
    assert parse(html).text == shown


def test_backslash_escapes_markdown_characters():
    tree = parse(render("\\# pas un titre\n\\* pas une liste").html_body)

    assert tree.find_all("p")[0].text == "# pas un titre* pas une liste"


# Links


def test_link_with_text_and_bare_url_without_trailing_punctuation():
    tree = parse(
        render(
            "[Votre dossier](https://x.gouv.fr/a?b=1&c=2) ou https://x.fr/p."
        ).html_body
    )
    links = tree.find_all("a")

    assert [(a.attrs["href"], a.text) for a in links] == [
        ("https://x.gouv.fr/a?b=1&c=2", "Votre dossier"),
        ("https://x.fr/p", "https://x.fr/p"),
    ]
    assert tree.find_all("p")[0].text.endswith("https://x.fr/p.")


def test_bare_url_keeps_balanced_parentheses():
    tree = parse(
        render("Voir https://fr.wikipedia.org/wiki/Paris_(France)).").html_body
    )

    assert tree.find_all("a")[0].attrs["href"] == (
        "https://fr.wikipedia.org/wiki/Paris_(France)"
    )


def test_link_target_from_a_value_and_angle_link():
    rendered = render(
        "[Suivre](((url))) <((url))> https://x.fr/((id))",
        personalisation={"url": "https://x.fr/d?a=1&b='2'", "id": 'A 1"<'},
    )
    links = parse(rendered.html_body).find_all("a")

    assert [a.attrs["href"] for a in links] == [
        "https://x.fr/d?a=1&b=%272%27",
        "https://x.fr/d?a=1&b=%272%27",
        "https://x.fr/A%201%22%3C",
    ]
    assert [a.text for a in links][:2] == ["Suivre", "https://x.fr/d?a=1&b='2'"]


def test_mailto_link_is_allowed():
    links = parse(render("[Écrire](mailto:contact@x.gouv.fr)").html_body).find_all("a")

    assert links[0].attrs["href"] == "mailto:contact@x.gouv.fr"


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "/relatif",
        "x.gouv.fr",
        "https://",
        "",
        "https:// x.fr",
        "ftp://x.fr",
    ],
)
def test_link_target_that_is_not_http_or_mailto_is_not_a_link(target):
    rendered = render("[Cliquer](((url)))", personalisation={"url": target})

    assert parse(rendered.html_body).find_all("a") == []
    assert "[Cliquer](" in parse(rendered.html_body).text


def test_link_written_in_template_with_bad_scheme_is_shown_as_written():
    tree = parse(render("[clic](javascript:alert(1))").html_body)

    assert tree.find_all("a") == []
    assert tree.text == "[clic](javascript:alert(1))"


# Values in HTML


def test_values_are_escaped_and_never_read_as_markdown():
    value = (
        "# Titre\n* liste\n[lien](https://evil.example) https://evil.example "
        "<a href='x'>a</a> ^ inset\n---"
    )
    rendered = render("((value))", personalisation={"value": value})
    tree = parse(rendered.html_body)

    assert tags(rendered.html_body) == ["p", "br", "br", "br"]
    assert tree.find_all("p")[0].text == value.replace("\n", "").replace("'", "’")


def test_list_value_in_a_paragraph_becomes_a_list_between_paragraphs():
    rendered = render(
        "Pièces : ((docs))\nMerci", personalisation={"docs": ["carte", "photo"]}
    )
    tree = parse(rendered.html_body)

    assert tags(rendered.html_body) == ["p", "table", "tr", "td", "ul", "li", "li", "p"]
    assert [li.text for li in tree.find_all("li")] == ["carte", "photo"]


def test_list_value_alone_in_a_list_item_adds_items():
    rendered = render("* premier\n* ((docs))", personalisation={"docs": ["a", "b"]})

    assert [li.text for li in parse(rendered.html_body).find_all("li")] == [
        "premier",
        "a",
        "b",
    ]


def test_list_value_inside_heading_is_written_inline():
    rendered = render("# ((docs))", personalisation={"docs": ["a", "b", "c"]})

    assert parse(rendered.html_body).find_all("h1")[0].text == "a, b et c"


def test_empty_blocks_after_filling_are_left_out():
    rendered = render(
        "# ((a))\n\n* ((a))\n\n((a))\n\n^ ((a))", personalisation={"a": ""}
    )

    assert rendered.html_body == ""


# Plain-text part


def test_plain_text_part_from_the_same_source():
    rendered = render(
        "# Titre\n\n## Sous-titre\n\nTexte [lien](https://x.fr) ok\n\n* a\n* b\n"
        "\n1. un\n2. deux\n\n^ Note\n\n---\n\nFin",
        unsubscribe_url="https://x.fr/stop",
    )

    assert rendered.text == (
        "Titre\n=====\n\nSous-titre\n----------\n\n"
        f"Texte lien{NBSP}: https://x.fr ok\n\n• a\n• b\n\n1. un\n2. deux\n\nNote"
        f"\n\n{'-' * 40}\n\nFin\n\n---\n\n"
        f"Pour ne plus recevoir ces messages{NBSP}: https://x.fr/stop"
    )


def test_plain_text_lists_list_values():
    rendered = render("Pièces :((docs))", personalisation={"docs": ["a", "b"]})

    assert rendered.text == f"Pièces{NBSP}:\n\n• a\n• b"


# Layout and branding


def test_document_is_french_with_presentation_tables_and_escaped_title():
    rendered = render("Corps", subject="<Objet> & co")
    tree = parse(rendered.html)

    assert tree.find_all("html")[0].attrs["lang"] == "fr"
    assert tree.find_all("title")[0].text == "<Objet> & co"
    assert all(t.attrs.get("role") == "presentation" for t in tree.find_all("table"))
    assert rendered.html_body in rendered.html


def test_state_branding_shows_the_republique_francaise_block():
    rendered = render("Corps", service_name="Préfecture <du> Nord", branding="state")
    banner = parse(rendered.html).find_all("div")[1]

    assert banner.attrs["role"] == "banner"
    assert "RépubliqueFrançaise" in banner.text
    assert "Préfecture <du> Nord" in banner.text


def test_neutral_branding_shows_only_the_service_name():
    rendered = render("Corps", service_name="Mairie de Lyon", branding="neutral")

    assert "République" not in rendered.html
    assert "Mairie de Lyon" in parse(rendered.html).text


def test_footer_links_to_unsubscribe_only_for_web_addresses():
    good = render("Corps", unsubscribe_url="https://x.fr/stop?a=1&b=2")
    bad = render("Corps", unsubscribe_url="javascript:alert(1)")

    links = parse(good.html).find_all("a")
    assert [(a.attrs["href"], a.text) for a in links] == [
        ("https://x.fr/stop?a=1&b=2", "Se désabonner")
    ]
    assert parse(bad.html).find_all("a") == []
    assert "javascript" not in bad.html + bad.text


def test_rendering_without_html_skips_the_document():
    rendered = render("# Titre", with_html=False)

    assert rendered.html == "" and rendered.html_body == ""
    assert rendered.body == "# Titre" and rendered.text.startswith("Titre")


# sanitise_content_for


def test_sanitised_content_matches_notify_example():
    value = "Amala, please [click this evil link](https://evil.link)"
    rendered = render(
        "((name))",
        personalisation={"Name": value, "other": value},
        sanitise_content_for=["NAME"],
    )

    sanitised = "Amala, please \\[click this evil link\\]\\(\\)"
    assert rendered.sanitised_content == {
        "Name": {"unsanitised": value, "sanitised": sanitised}
    }
    assert rendered.body == sanitised
    assert parse(rendered.html_body).text == "Amala, please [click this evil link]()"
    assert "evil" not in rendered.text.replace("evil link", "")


def test_sanitising_breaks_up_bare_domains_and_escapes_markdown():
    rendered = render(
        "((a)) ((b))",
        personalisation={"a": "Voir evil.com.", "b": "UUID a-b"},
        sanitise_content_for=["a", "b", "absent"],
    )

    assert rendered.sanitised_content["a"]["sanitised"] == "Voir evil\\. com\\."
    assert rendered.sanitised_content["b"]["sanitised"] == "UUID a\\-b"
    assert rendered.subject == "Objet"


def test_sanitised_subject_for_the_api_keeps_the_escapes():
    rendered = render(
        "((name))",
        subject="Objet ((name))",
        personalisation={"name": "a-b"},
        sanitise_content_for=["name"],
    )

    assert rendered.api_subject == "Objet a\\-b"
    assert rendered.subject == "Objet a-b"


def test_stored_sanitised_values_are_shown_unescaped():
    stored = {"name": "\\[lien\\]\\(\\) a\\-b", "raw": "c\\-d"}

    rendered = render(
        "((name)) ((raw))",
        subject="((name))",
        personalisation=stored,
        sanitised_keys=["name"],
    )

    assert rendered.body == "\\[lien\\]\\(\\) a\\-b c\\-d"
    assert rendered.api_subject == "\\[lien\\]\\(\\) a\\-b"
    assert rendered.subject == "[lien]() a-b"
    assert rendered.text == "[lien]() a-b c\\-d"
    assert parse(rendered.html_body).text == "[lien]() a-b c\\-d"
    assert "<a" not in rendered.html_body


def test_sanitising_reports_only_changed_keys_and_handles_lists():
    rendered = render(
        "((a))((b))",
        personalisation={"a": "simple", "b": ["https://x.fr", "ok"]},
        sanitise_content_for=["a", "b"],
    )

    assert list(rendered.sanitised_content) == ["b"]
    assert rendered.sanitised_content["b"]["sanitised"] == ["", "ok"]


# Limits


def test_empty_message_is_refused():
    with pytest.raises(rendering.EmptyMessageError) as raised:
        render("  ((a))\n\n", personalisation={"a": " \n"})

    assert str(raised.value) == "Your message is empty."


def test_email_over_two_million_bytes_is_refused_with_notify_message():
    value = "é" * 1_000_000

    with pytest.raises(rendering.MessageTooLongError) as raised:
        render("((a))x", personalisation={"a": value}, with_html=False)

    assert str(raised.value) == (
        "Your message is too long. Emails cannot be longer than 2000000 bytes. "
        "Your message is 2000001 bytes."
    )


def test_length_check_can_be_left_to_the_caller():
    rendered = render(
        "((a))x",
        personalisation={"a": "é" * 1_000_000},
        check_length=False,
        with_html=False,
    )

    assert rendered.is_too_long
    with pytest.raises(rendering.MessageTooLongError):
        rendered.check_length()
