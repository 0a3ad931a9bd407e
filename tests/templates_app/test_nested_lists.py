"""Nested lists in the email markdown: how indentation nests items, and
how both the HTML part and the plain-text part show the levels."""

import pytest

from templates_app import rendering
from templates_app.language.lists import MAX_LIST_DEPTH
from tests.templates_app.html_tree import Element, parse

NBSP = "\u00a0"


def render(body: str, **personalisation) -> rendering.RenderedEmail:
    return rendering.render_email(
        subject="Objet", body=body, personalisation=personalisation
    )


def children(element: Element, tag: str | None = None) -> list[Element]:
    return [
        child
        for child in element.children
        if isinstance(child, Element) and (tag is None or child.tag == tag)
    ]


def outline(list_element: Element) -> list:
    """A list as data: each item is its own text, or (text, [sub-lists])
    where a sub-list is (tag, outline)."""
    items: list = []
    for item in children(list_element, "li"):
        own_text = "".join(
            child if isinstance(child, str) else child.text
            for child in item.children
            if isinstance(child, str) or child.tag not in {"ul", "ol"}
        )
        sublists = [
            (child.tag, outline(child))
            for child in children(item)
            if child.tag in {"ul", "ol"}
        ]
        items.append((own_text, sublists) if sublists else own_text)
    return items


def top_lists(html: str) -> list[tuple[str, list]]:
    """Each top-level list (inside its presentation table) as data."""
    found = []
    for table in parse(html).find_all("table"):
        for cell in table.find_all("td"):
            found.extend(
                (element.tag, outline(element))
                for element in children(cell)
                if element.tag in {"ul", "ol"}
            )
    return found


# Nesting


def test_bullet_under_bullet_is_a_nested_list_inside_the_item():
    rendered = render("* un\n  * un-a\n  * un-b\n* deux")

    assert top_lists(rendered.html_body) == [
        ("ul", [("un", [("ul", ["un-a", "un-b"])]), "deux"])
    ]
    assert len(parse(rendered.html_body).find_all("table")) == 1
    assert rendered.text == "• un\n  ◦ un-a\n  ◦ un-b\n• deux"


def test_numbered_under_numbered_counts_again_from_its_first_number():
    rendered = render("1. Dossier\n   1. Formulaire\n   2. Photo\n2. Rendez-vous")

    assert top_lists(rendered.html_body) == [
        ("ol", [("Dossier", [("ol", ["Formulaire", "Photo"])]), "Rendez-vous"])
    ]
    assert rendered.text == (
        "1. Dossier\n   1. Formulaire\n   2. Photo\n2. Rendez-vous"
    )


def test_bullets_and_numbers_nest_in_each_other():
    rendered = render(
        "1. Préparer\n   * la carte\n   * la photo\n2. Venir\n"
        "   - à l'heure\n     1. guichet A\n     2. guichet B"
    )

    assert top_lists(rendered.html_body) == [
        (
            "ol",
            [
                ("Préparer", [("ul", ["la carte", "la photo"])]),
                (
                    "Venir",
                    [("ul", [("à l’heure", [("ol", ["guichet A", "guichet B"])])])],
                ),
            ],
        )
    ]
    assert rendered.text == (
        "1. Préparer\n   ◦ la carte\n   ◦ la photo\n2. Venir\n"
        "   ◦ à l’heure\n     1. guichet A\n     2. guichet B"
    )


@pytest.mark.parametrize("indent", ["  ", "   ", "    ", "\t", "      "])
def test_two_spaces_or_more_or_a_tab_open_a_sub_list(indent):
    rendered = render(f"* un\n{indent}* sous\n* deux")

    assert top_lists(rendered.html_body) == [
        ("ul", [("un", [("ul", ["sous"])]), "deux"])
    ]


def test_indentation_counts_from_the_item_above_not_from_the_margin():
    # Each line is one space past the one above: never two, so no level.
    assert top_lists(render("* un\n * deux\n  * trois\n   * quatre").html_body) == [
        ("ul", ["un", "deux", "trois", "quatre"])
    ]
    assert top_lists(render("* un\n * deux\n   * trois").html_body) == [
        ("ul", ["un", ("deux", [("ul", ["trois"])])])
    ]


def test_a_less_indented_item_returns_to_the_level_it_sits_under():
    rendered = render("* a\n  * b\n    * c\n   * d\n* e")

    assert top_lists(rendered.html_body) == [
        ("ul", [("a", [("ul", [("b", [("ul", ["c"])]), "d"])]), "e"])
    ]
    assert rendered.text == "• a\n  ◦ b\n    ▪ c\n  ◦ d\n• e"


def test_another_kind_of_marker_at_a_nested_level_starts_a_second_sub_list():
    rendered = render("* a\n  * b\n  1. c\n  2. d\n* e")

    assert top_lists(rendered.html_body) == [
        ("ul", [("a", [("ul", ["b"]), ("ol", ["c", "d"])]), "e"])
    ]
    assert rendered.text == "• a\n  ◦ b\n  1. c\n  2. d\n• e"


def test_another_kind_of_marker_at_the_top_still_starts_a_new_list():
    assert top_lists(render("* a\n  1. b\n1. c").html_body) == [
        ("ul", [("a", [("ol", ["b"])])]),
        ("ol", ["c"]),
    ]


# Depth


def test_four_levels_nest_and_deeper_indentation_stays_at_the_fourth():
    source = "\n".join(f"{'  ' * level}* niveau {level + 1}" for level in range(6))
    rendered = render(source + "\n* fin")
    tree = parse(rendered.html_body)
    expected = ["niveau 4", "niveau 5", "niveau 6"]
    for level in (3, 2, 1):
        expected = [(f"niveau {level}", [("ul", expected)])]

    assert MAX_LIST_DEPTH == 4
    assert top_lists(rendered.html_body) == [("ul", [*expected, "fin"])]
    shapes = [
        ul.attrs["style"].split("list-style-type: ")[1] for ul in tree.find_all("ul")
    ]
    assert shapes == ["disc;", "circle;", "square;", "square;"]
    assert rendered.text == (
        "• niveau 1\n  ◦ niveau 2\n    ▪ niveau 3\n      ▪ niveau 4\n"
        "      ▪ niveau 5\n      ▪ niveau 6\n• fin"
    )


def test_nested_lists_are_indented_inside_their_item_without_a_table():
    tree = parse(render("1. a\n   * b\n     1. c").html_body)
    top = tree.find_all("ol")[0]
    nested_ul, nested_ol = tree.find_all("ul")[0], tree.find_all("ol")[1]

    assert top.attrs["style"].startswith("margin: 0 0 0 24px;")
    assert nested_ul.attrs["style"] == (
        "margin: 8px 0 0 24px; padding: 0; list-style-type: circle;"
    )
    assert nested_ol.attrs["style"] == (
        "margin: 8px 0 0 24px; padding: 0; list-style-type: decimal;"
    )
    assert all(not li.find_all("table") for li in tree.find_all("li"))


# Text, blank lines and numbers


def test_continuation_lines_continue_the_deepest_open_item():
    rendered = render("* a\n  * b\n  suite de b\n* c\nsuite de c\n\nFin")
    items = parse(rendered.html_body).find_all("li")

    assert [li.text for li in items] == ["absuite de b", "bsuite de b", "csuite de c"]
    assert len(items[1].find_all("br")) == 1
    assert rendered.text == ("• a\n  ◦ b\n    suite de b\n• c\n  suite de c\n\nFin")


def test_blank_lines_inside_a_nested_list_keep_it_one_list():
    rendered = render("* a\n\n  * b\n\n\n  * c\n\n* d\n\nFin")

    assert top_lists(rendered.html_body) == [("ul", [("a", [("ul", ["b", "c"])]), "d"])]
    assert parse(rendered.html_body).find_all("p")[-1].text == "Fin"


def test_indented_text_after_a_blank_line_ends_the_list():
    rendered = render("* a\n  * b\n\n  Paragraphe")

    assert top_lists(rendered.html_body) == [("ul", [("a", [("ul", ["b"])])])]
    assert parse(rendered.html_body).find_all("p")[0].text == "Paragraphe"


def test_numbered_sub_list_keeps_its_first_number():
    rendered = render("* a\n\n  3. trois\n  4. quatre")
    nested = parse(rendered.html_body).find_all("ol")[0]

    assert nested.attrs["start"] == "3"
    assert rendered.text == "• a\n  3. trois\n  4. quatre"


def test_number_other_than_one_right_under_an_item_stays_text():
    rendered = render("* Dossier clos fin\n  2024. Merci")

    assert top_lists(rendered.html_body) == [("ul", ["Dossier clos fin2024. Merci"])]


def test_text_numbering_widens_the_hanging_indent():
    rendered = render("9. neuf\n10. dix\n    * détail\n    ligne")

    assert rendered.text == "9. neuf\n10. dix\n    ◦ détail\n      ligne"


@pytest.mark.parametrize("line", ["* * *", "  - - -", "---"])
def test_a_rule_ends_a_nested_list(line):
    rendered = render(f"* a\n  * b\n{line}\nAprès")
    tree = parse(rendered.html_body)

    assert top_lists(rendered.html_body) == [("ul", [("a", [("ul", ["b"])])])]
    assert len(tree.find_all("hr")) == 1


@pytest.mark.parametrize("line", ["## Suite", "^ Encart"])
def test_a_heading_or_an_inset_ends_a_nested_list(line):
    tree = parse(render(f"* a\n  * b\n{line}").html_body)

    assert [li.text for li in tree.find_all("li")] == ["ab", "b"]
    assert len(tree.find_all("h2") + tree.find_all("blockquote")) == 1


# Values


def test_list_value_alone_in_a_nested_item_adds_items_to_the_sub_list():
    rendered = render(
        "* Pièces\n  * ((pièces))\n  * le formulaire\n* Rendez-vous",
        pièces=["la carte", "la photo"],
    )

    assert top_lists(rendered.html_body) == [
        (
            "ul",
            [
                ("Pièces", [("ul", ["la carte", "la photo", "le formulaire"])]),
                "Rendez-vous",
            ],
        )
    ]
    assert rendered.text == (
        "• Pièces\n  ◦ la carte\n  ◦ la photo\n  ◦ le formulaire\n• Rendez-vous"
    )


def test_sub_list_under_a_list_value_follows_its_last_item():
    rendered = render("1. ((étapes))\n   * détail", étapes=["un", "deux"])

    assert top_lists(rendered.html_body) == [
        ("ol", ["un", ("deux", [("ul", ["détail"])])])
    ]
    assert rendered.text == "1. un\n2. deux\n   ◦ détail"


def test_list_value_with_text_in_a_nested_item_is_written_inline():
    rendered = render("* a\n  * Pièces : ((pièces))", pièces=["x", "y", "z"])

    assert top_lists(rendered.html_body) == [
        ("ul", [("a", [("ul", [f"Pièces{NBSP}: x, y et z"])])])
    ]


@pytest.mark.parametrize(
    "value", ["\n  * b", "b\n    1. c", "  * b\n\t- c", "\n\n  * b\n  * c"]
)
def test_a_value_never_opens_a_sub_list(value):
    rendered = render("* a\n  * ((x))\n((x))", x=value)
    tree = parse(rendered.html_body)

    assert len(tree.find_all("ul")) == 2
    assert len(tree.find_all("ol")) == 0
    assert len(tree.find_all("li")) == 2
    assert rendered.text.count("◦") == 1


def test_empty_nested_items_are_left_out_and_an_empty_item_keeps_its_sub_list():
    rendered = render("* ((vide))\n  * b\n* c\n  * ((vide))", vide="")

    assert top_lists(rendered.html_body) == [("ul", [("", [("ul", ["b"])]), "c"])]
    assert rendered.text == "•\n  ◦ b\n• c"


def test_markdown_source_keeps_the_indentation():
    rendered = render("* a\n  * ((x))\n\t* c", x="b")

    assert rendered.body == "* a\n  * b\n\t* c"
