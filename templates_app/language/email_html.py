"""The HTML part of an email: the body written with inline styles, inside
a static layout (``layouts/email.html``) whose styles are already inline,
so no CSS inliner runs per message.

Accessibility, after the State's accessible-communication charter and
RGAA practice for emails: ``lang="fr"``; layout tables marked
``role="presentation"``; real headings (``#`` is ``<h1>``, ``##`` is
``<h2>``), lists and links; body text at 16px/24px and headings at 28px
and 22px; DSFR colours whose contrast on white passes WCAG AA (text
#161616 is 18:1, links #000091 are 15:1, the footer's #3a3a3a is 11:1);
Marianne, then Arial, Helvetica and any sans-serif.

Branding: ``state`` shows the "République Française" block (Marianne's
text block and the motto) beside the service name, as the DSFR header
does; ``neutral`` shows only the service name, for bodies that are not
State entities and may not use the State's brand.
"""

import html
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from .lists import MAX_LIST_DEPTH
from .markdown import (
    LINE_BREAK,
    CompiledBody,
    Heading,
    Inset,
    ItemList,
    Link,
    ListItem,
    Paragraph,
    Rule,
    Slot,
    Text,
)
from .placeholders import format_value, is_truthy, join_words
from .typography import typeset

BRANDING_STATE = "state"
BRANDING_NEUTRAL = "neutral"

_FONT = "font-family: Marianne, Arial, Helvetica, sans-serif;"
_TEXT = f"{_FONT} font-size: 16px; line-height: 24px; color: #161616;"
P_OPEN = f'<p style="margin: 0 0 24px 0; {_TEXT}">'
INSET_P_OPEN = f'<p style="margin: 8px 0 8px 0; {_TEXT}">'
HEADING_OPEN = {
    1: f'<h1 style="margin: 0 0 24px 0; {_FONT} font-size: 28px; '
    'line-height: 36px; font-weight: 700; color: #161616;">',
    2: f'<h2 style="margin: 32px 0 16px 0; {_FONT} font-size: 22px; '
    'line-height: 28px; font-weight: 700; color: #161616;">',
}
HEADING_CLOSE = {1: "</h1>", 2: "</h2>"}
# Lists sit in a presentation table, the way that keeps their indentation
# in Outlook's Word-based renderer.
_LIST_TABLE_OPEN = (
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
    f'border="0" style="border-collapse: collapse; margin: 0 0 24px 0;"><tr>'
    f'<td style="{_FONT}">'
)
_LIST_TABLE_CLOSE = "</td></tr></table>"
# A sub-list sits inside its item (no table: a list in a list is what
# screen readers announce as a level), indented again by 24px. Bullets
# change shape at each level, as browsers draw them; numbers stay decimal.
_BULLET_SHAPES = ("disc", "circle", "square")


def _list_style(*, ordered: bool, depth: int) -> str:
    margin = "0 0 0 24px" if depth == 1 else "8px 0 0 24px"
    shape = _BULLET_SHAPES[min(depth, len(_BULLET_SHAPES)) - 1]
    return (
        f"margin: {margin}; padding: 0; "
        f"list-style-type: {'decimal' if ordered else shape};"
    )


_DEPTHS = range(1, MAX_LIST_DEPTH + 1)
_UL_OPEN = {
    depth: f'<ul style="{_list_style(ordered=False, depth=depth)}">'
    for depth in _DEPTHS
}
_OL_STYLE = {depth: _list_style(ordered=True, depth=depth) for depth in _DEPTHS}
LI_OPEN = f'<li style="margin: 0 0 8px 0; padding: 0 0 0 4px; {_TEXT}">'
INSET_OPEN = (
    '<blockquote style="margin: 0 0 24px 0; padding: 4px 0 4px 20px; '
    'border-left: 4px solid #6a6af4;">'
)
RULE = (
    '<hr style="border: 0; height: 1px; background-color: #dddddd; '
    'color: #dddddd; margin: 32px 0 32px 0;">'
)
LINK_STYLE = "color: #000091; text-decoration: underline; word-wrap: break-word;"
SAMPLE_OPEN = '<mark style="background-color: #fceeac; color: #161616;">'

_SAFE_TARGET = re.compile(r"https?://[^\s/?#\\]|mailto:[^\s]", re.IGNORECASE)
_HREF_UNSAFE = re.compile(r"[\s\"'<>\\^`{|}\x00-\x1f\x7f]")
_EDGE_BREAKS = re.compile(r"^(?:\s|<br>)+|(?:\s|<br>)+$")


def trim_breaks(content: str) -> str:
    """Drop whitespace and ``<br>`` at both ends of a block's content."""
    if not content:
        return content
    first, last = content[0], content[-1]
    if first.isspace() or last.isspace() or first == "<" or last == ">":
        return _EDGE_BREAKS.sub("", content)
    return content


_LAYOUT_SLOT = re.compile(r"\{\{ (\w+) \}\}")


class Sample(str):
    """A stand-in value in a preview, highlighted in the HTML."""

    __slots__ = ()


def _percent(match: re.Match) -> str:
    return quote(match.group(), safe="")


def link_target(target: str) -> str | None:
    """The ``href`` for a link target, or ``None`` if it may not be one."""
    target = target.strip()
    if not _SAFE_TARGET.match(target):
        return None
    return _HREF_UNSAFE.sub(_percent, target)


class BodyRenderer:
    """Renders a compiled body with one personalisation."""

    def __init__(self, values: dict, formatted: dict | None = None) -> None:
        self.values = values
        # Values formatted once per message, shared between renderers.
        self._formatted: dict[str, object] = {} if formatted is None else formatted
        self._html: dict[str, str] = {}

    def render(self, body: CompiledBody) -> str:
        out: list[str] = []
        for block in body.blocks:
            kind = type(block)
            if kind is Paragraph:
                self._paragraph(block.inlines, out, P_OPEN)
            elif kind is Heading:
                content = trim_breaks(self.inline(block.inlines))
                if content:
                    level = block.level
                    out.append(HEADING_OPEN[level] + content + HEADING_CLOSE[level])
            elif kind is ItemList:
                self._list(block, out)
            elif kind is Inset:
                self._inset(block, out)
            elif kind is Rule:
                out.append(RULE)
        return "\n".join(out)

    def value(self, key: str):
        try:
            return self._formatted[key]
        except KeyError:
            formatted = self._formatted[key] = format_value(self.values[key])
            return formatted

    def inline(self, nodes: tuple) -> str:
        return "".join([self._node(node) for node in nodes])

    def _node(self, node) -> str:
        kind = type(node)
        if kind is Text:
            return node.html
        if kind is Slot:
            return self._slot(node)
        if node is LINE_BREAK:
            return "<br>"
        return self._link(node)

    def _slot(self, slot: Slot) -> str:
        placeholder = slot.placeholder
        if placeholder.conditional_text is not None:
            if is_truthy(self.values[placeholder.key]):
                return self.inline(slot.conditional)
            return ""
        key = placeholder.key
        if key in self._html:
            return self._html[key]
        value = self.value(key)
        text = join_words(value) if isinstance(value, tuple) else value
        escaped = html.escape(typeset(text)).replace("\n", "<br>")
        if isinstance(self.values[key], Sample):
            escaped = f"{SAMPLE_OPEN}{escaped}</mark>"
        self._html[key] = escaped
        return escaped

    def target_text(self, parts: tuple) -> str:
        texts = []
        for part in parts:
            if isinstance(part, str):
                texts.append(part)
            elif part.conditional_text is not None:
                if is_truthy(self.values[part.key]):
                    texts.append(part.conditional_text)
            else:
                value = self.value(part.key)
                texts.append(",".join(value) if isinstance(value, tuple) else value)
        return "".join(texts).strip()

    def _link(self, link: Link) -> str:
        target = self.target_text(link.target)
        href = None if link.kind == "image" else link_target(target)
        label = self.inline(link.label) if link.label else ""
        if href is None:
            shown = html.escape(target)
            if link.kind == "image":
                return f"![{label}]({shown})"
            if link.kind == "inline":
                return f"[{label}]({shown})"
            return f"&lt;{shown}&gt;" if link.kind == "angle" else shown
        if not label.strip():
            label = html.escape(target)
        return f'<a href="{html.escape(href)}" style="{LINK_STYLE}">{label}</a>'

    def _list_value(self, node) -> tuple | None:
        """The items of a list value standing as a block, else ``None``."""
        if type(node) is not Slot or node.placeholder.conditional_text is not None:
            return None
        value = self.value(node.placeholder.key)
        return value if isinstance(value, tuple) and value else None

    def _paragraph(self, nodes: tuple, out: list[str], opening: str) -> None:
        parts: list[str] = []
        for node in nodes:
            items = self._list_value(node) if type(node) is Slot else None
            if items is None:
                parts.append(self._node(node))
                continue
            _flush(parts, out, opening)
            parts = []
            out.append(self._item_list(items))
        _flush(parts, out, opening)

    def _item_list(self, items: tuple) -> str:
        rendered = "".join(
            [f"{LI_OPEN}{html.escape(typeset(item))}</li>" for item in items]
        )
        return f"{_LIST_TABLE_OPEN}{_UL_OPEN[1]}{rendered}</ul>{_LIST_TABLE_CLOSE}"

    def _list(self, block: ItemList, out: list[str]) -> None:
        items = self._list_items(block)
        if items:
            out.append(
                f"{_LIST_TABLE_OPEN}{_list_html(block, items)}{_LIST_TABLE_CLOSE}"
            )

    def _list_items(self, block: ItemList) -> str:
        rendered: list[str] = []
        for item in block.items:
            sublists = self._sublists(item) if item.sublists else ""
            inlines = item.inlines
            expanded = self._list_value(inlines[0]) if len(inlines) == 1 else None
            if expanded:
                # Sub-lists written under a list value follow its last item.
                rendered.extend(
                    f"{LI_OPEN}{html.escape(typeset(text))}</li>"
                    for text in expanded[:-1]
                )
                last = html.escape(typeset(expanded[-1]))
                rendered.append(f"{LI_OPEN}{last}{sublists}</li>")
                continue
            content = trim_breaks(self.inline(inlines))
            if content or sublists:
                rendered.append(f"{LI_OPEN}{content}{sublists}</li>")
        return "".join(rendered)

    def _sublists(self, item: ListItem) -> str:
        rendered: list[str] = []
        for sublist in item.sublists:
            items = self._list_items(sublist)
            if items:
                rendered.append(_list_html(sublist, items))
        return "".join(rendered)

    def _inset(self, block: Inset, out: list[str]) -> None:
        inner: list[str] = []
        for paragraph in block.paragraphs:
            self._paragraph(paragraph, inner, INSET_P_OPEN)
        if inner:
            out.append(INSET_OPEN + "".join(inner) + "</blockquote>")


def _flush(parts: list[str], out: list[str], opening: str) -> None:
    content = trim_breaks("".join(parts))
    if content:
        out.append(f"{opening}{content}</p>")


def _list_html(block: ItemList, items: str) -> str:
    if not block.ordered:
        return f"{_UL_OPEN[block.depth]}{items}</ul>"
    start_attribute = f' start="{block.start}"' if block.start != 1 else ""
    return f'<ol{start_attribute} style="{_OL_STYLE[block.depth]}">{items}</ol>'


# The DSFR block: the Marianne symbol above "République Française" and the
# motto. Mail clients block data: URIs, so the symbol is an image hosted on
# the platform's public domain (``logo_url``); its alt text is empty because
# the words follow it. Without a URL the block is text only.
_BRAND_LOGO = (
    '<img src="{src}" width="40" height="40" alt="" '
    'style="display: block; border: 0; margin: 0 0 8px 0; width: 40px; '
    'height: 40px;">'
)
_BRAND_BLOCK = (
    '<td valign="middle" style="padding: 0 24px 0 0; white-space: nowrap;">'
    "{logo}"
    f'<p style="margin: 0; {_FONT} font-size: 15px; line-height: 18px; '
    "font-weight: 700; letter-spacing: 0.3px; text-transform: uppercase; "
    'color: #161616;">République<br>Française</p>'
    f'<p style="margin: 6px 0 0 0; {_FONT} font-size: 12px; line-height: 14px; '
    'font-style: italic; color: #161616;">Liberté<br>Égalité<br>Fraternité</p>'
    "</td>"
)
_HEADER_ROW_OPEN = (
    '<tr><td style="padding: 24px 32px 24px 32px; border-bottom: 1px solid '
    '#dddddd;"><div role="banner"><table role="presentation" cellpadding="0" '
    'cellspacing="0" border="0" style="border-collapse: collapse;"><tr>'
)
_HEADER_ROW_CLOSE = "</tr></table></div></td></tr>\n"
_SERVICE_NAME = (
    f'<p style="margin: 0; {_FONT} font-size: 20px; line-height: 28px; '
    'font-weight: 700; color: #161616;">{name}</p>'
)
_FOOTER_OPEN = (
    '<tr><td style="padding: 16px 32px 16px 32px; border-top: 1px solid #dddddd; '
    f'{_FONT} font-size: 14px; line-height: 20px; color: #3a3a3a;">'
)
_FOOTER_P_OPEN = (
    f'<p style="margin: 0 0 8px 0; {_FONT} font-size: 14px; line-height: 20px; '
    'color: #3a3a3a;">'
)


@lru_cache(maxsize=256)
def header_html(branding: str, service_name: str, logo_url: str = "") -> str:
    """The header row for a branding and a service name."""
    name = html.escape(" ".join(service_name.split()))
    cells = []
    if branding != BRANDING_NEUTRAL:
        is_web = logo_url.startswith(("https://", "http://"))
        logo_src = link_target(logo_url) if is_web else None
        logo = _BRAND_LOGO.format(src=html.escape(logo_src)) if logo_src else ""
        cells.append(_BRAND_BLOCK.replace("{logo}", logo))
    if name:
        divider = "border-left: 1px solid #dddddd; " if cells else ""
        padding = "padding: 0 0 0 24px;" if cells else "padding: 0;"
        cells.append(
            f'<td valign="middle" style="{divider}{padding}">'
            f"{_SERVICE_NAME.format(name=name)}</td>"
        )
    if not cells:
        return ""
    return _HEADER_ROW_OPEN + "".join(cells) + _HEADER_ROW_CLOSE


def footer_html(service_name: str, unsubscribe_href: str | None) -> str:
    """The footer row: who sent the message, and how to stop receiving it."""
    paragraphs = []
    name = " ".join(service_name.split())
    if name:
        paragraphs.append(f"Message envoyé par {html.escape(name)}.")
    if unsubscribe_href:
        paragraphs.append(
            "Vous ne souhaitez plus recevoir ces messages\u00a0? "
            f'<a href="{html.escape(unsubscribe_href)}" style="{LINK_STYLE}">'
            "Se désabonner</a>"
        )
    if not paragraphs:
        return ""
    body = "".join(f"{_FOOTER_P_OPEN}{text}</p>" for text in paragraphs)
    return f'{_FOOTER_OPEN}<div role="contentinfo">{body}</div></td></tr>\n'


@lru_cache(maxsize=1)
def _layout() -> tuple[tuple[str, ...], tuple[str, ...]]:
    source = (Path(__file__).parent / "layouts" / "email.html").read_text("utf-8")
    pieces = _LAYOUT_SLOT.split(source)
    return tuple(pieces[0::2]), tuple(pieces[1::2])


def document(*, title: str, header: str, body: str, footer: str) -> str:
    """The full HTML email: the static layout with its slots filled."""
    statics, slots = _layout()
    filled = {"title": html.escape(title), "header": header, "body": body}
    filled["footer"] = footer
    out = [statics[0]]
    for slot, static in zip(slots, statics[1:], strict=True):
        out.append(filled[slot])
        out.append(static)
    return "".join(out)
