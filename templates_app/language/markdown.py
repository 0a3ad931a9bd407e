"""The email markdown subset, compiled once per template text.

The subset is GOV.UK Notify's:

- ``# Title`` and ``## Subtitle`` (two levels; ``###`` and deeper read as
  a paragraph); a space must follow the ``#``, so ``#RGPD`` stays text;
- bullet lists (``*``, ``-``, ``+`` or ``•`` then a space) and numbered
  lists (``1.`` then a space; the first number is kept). A bullet line may
  follow a paragraph line directly; a numbered one only if it is ``1.``.
  An item line indented by two spaces or more under an item (a tab counts
  four) opens a sub-list of that item, bullets and numbers mixed freely, up
  to ``MAX_LIST_DEPTH`` levels; deeper indentation stays at the deepest
  level;
- inset text: lines starting with ``^``;
- a horizontal rule: ``---``, ``***`` or ``___``;
- links ``[text](https://…)``, ``<https://…>`` and bare ``http(s)://``
  addresses; a target that is not ``http(s)`` or ``mailto`` is shown as
  written, not as a link (images ``![text](…)`` too);
- a line break for each newline, a paragraph for each blank line, and
  backslash escapes (``\\#``, ``\\*``…).

Everything else (emphasis, code, images, tables, HTML) is shown as written.

The template is parsed with its placeholders standing as opaque slots,
before any value is known. A value is therefore always text: it can never
open a heading, a list or a link, whatever it contains. Links exist only
where the template writes them (``[texte](((lien)))`` takes its address
from a value, and ``<((lien))>`` shows the address itself); a list value
is the one value that lays out as a list, in the renderers.
"""

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from .lists import END, ITEM, OpenList, add_item, placement
from .placeholders import PLACEHOLDER_PATTERN, Placeholder, clean_text
from .placeholders import parse_placeholder as _parse_placeholder
from .typography import typeset

_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_HEADING = re.compile(r" {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")
_BULLET = re.compile(r" {0,3}[*+\u2022-][ \t]+(.*)")
_NUMBERED = re.compile(r" {0,3}(\d{1,9})\.[ \t]+(.*)")
_INSET = re.compile(r" {0,3}\^[ \t]?(.*)")

_INLINE_TOKEN = re.compile(
    r"\\(?P<escaped>[!-/:-@\[-`{-~])"
    r"|(?P<image>!)?\[(?P<label>[^\[\]\n]*)\]\([ \t]*"
    r"(?P<target>[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)[ \t]*\)"
    r"|<(?P<angle>(?:https?://|mailto:|\x00)[^\s<>]*)>"
    r"|(?P<bare>(?<![\w/])https?://[^\s<>]+)"
    r"|\x00(?P<slot>\d+)\x01"
    r"|(?P<newline>\n)",
    re.IGNORECASE,
)
_LABEL_TOKEN = re.compile(r"\\(?P<escaped>[!-/:-@\[-`{-~])|\x00(?P<slot>\d+)\x01")
_SLOT = re.compile(r"\x00(\d+)\x01")
_URL_TRAILING_PUNCTUATION = frozenset(".,:;!?'\"»")
_SEPARATORS = re.compile(r"[\x02\n]")


@dataclass(frozen=True, slots=True)
class Text:
    """Template text, typeset; ``html`` is it escaped."""

    plain: str
    html: str


class _LineBreak:
    __slots__ = ()

    def __repr__(self) -> str:
        return "LINE_BREAK"


LINE_BREAK = _LineBreak()


@dataclass(frozen=True, slots=True)
class Slot:
    """A placeholder; ``conditional`` holds a conditional's text."""

    placeholder: Placeholder
    conditional: tuple = ()


@dataclass(frozen=True, slots=True)
class Link:
    """``kind`` is ``inline`` (``[label](target)``), ``angle``
    (``<target>``), ``bare``, or ``image`` (``![label](target)``, never a
    link: shown as written); ``target`` holds strings and slots."""

    kind: str
    label: tuple
    target: tuple


@dataclass(frozen=True, slots=True)
class Paragraph:
    inlines: tuple


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    inlines: tuple


@dataclass(frozen=True, slots=True)
class Rule:
    pass


@dataclass(frozen=True, slots=True)
class ListItem:
    """An item's text, and the lists nested in it, in order."""

    inlines: tuple
    sublists: tuple = ()


@dataclass(frozen=True, slots=True)
class ItemList:
    """A list of ``ListItem``; ``depth`` is 1 for a list at the top."""

    ordered: bool
    start: int
    items: tuple
    depth: int = 1


@dataclass(frozen=True, slots=True)
class Inset:
    paragraphs: tuple


@dataclass(frozen=True, slots=True)
class CompiledBody:
    """A parsed email body and its placeholders in order of appearance."""

    blocks: tuple
    placeholders: tuple


@lru_cache(maxsize=512)
def compile_body(source: str) -> CompiledBody:
    """Parse an email body once; later renders reuse the result."""
    source = clean_text(source or "").replace("\t", "    ")
    found: list[Placeholder] = []

    def mark(match: re.Match) -> str:
        placeholder = _parse_placeholder(match.group(1))
        if placeholder is None:
            return match.group()
        found.append(placeholder)
        return f"\x00{len(found) - 1}\x01"

    marked = PLACEHOLDER_PATTERN.sub(mark, source)
    parser = _BlockParser(marked.split("\n"), found)
    return CompiledBody(blocks=tuple(parser.parse()), placeholders=tuple(found))


def _item_match(line: str) -> tuple[bool, re.Match] | None:
    match = _BULLET.fullmatch(line)
    if match:
        return False, match
    match = _NUMBERED.fullmatch(line)
    if match:
        return True, match
    return None


def _starts_block(line: str) -> bool:
    return bool(
        _RULE.fullmatch(line)
        or _HEADING.fullmatch(line)
        or _INSET.fullmatch(line)
        or _item_match(line)
    )


class _BlockParser:
    def __init__(self, lines: list[str], found: list[Placeholder]) -> None:
        self.lines = lines
        self.found = found
        self.position = 0

    def parse(self) -> list:
        blocks: list = []
        paragraph: list[str] = []
        while self.position < len(self.lines):
            line = self.lines[self.position]
            block = None if not line.strip() else self._block_at(line, paragraph)
            if block is None and line.strip():
                paragraph.append(line.strip())
                self.position += 1
                continue
            if paragraph:
                blocks.append(Paragraph(self._inlines("\n".join(paragraph))))
                paragraph = []
            if block is None:
                self.position += 1
            else:
                blocks.append(block)
        if paragraph:
            blocks.append(Paragraph(self._inlines("\n".join(paragraph))))
        return blocks

    def _block_at(self, line: str, paragraph: list[str]):
        if _RULE.fullmatch(line):
            self.position += 1
            return Rule()
        heading = _HEADING.fullmatch(line)
        if heading:
            self.position += 1
            inlines = self._inlines(heading.group(2))
            if len(heading.group(1)) > 2:
                return Paragraph(inlines)
            return Heading(level=len(heading.group(1)), inlines=inlines)
        if _INSET.fullmatch(line):
            return self._inset()
        item = _item_match(line)
        if item and not (paragraph and item[0] and int(item[1].group(1)) != 1):
            return self._list()
        return None

    def _inset(self) -> Inset:
        paragraphs: list[list[str]] = [[]]
        while self.position < len(self.lines):
            line = self.lines[self.position]
            match = _INSET.fullmatch(line)
            if match:
                text = match.group(1).strip()
            elif line.strip() and not _starts_block(line) and paragraphs[-1]:
                text = line.strip()
            else:
                break
            if text:
                paragraphs[-1].append(text)
            elif paragraphs[-1]:
                paragraphs.append([])
            self.position += 1
        return Inset(
            tuple(self._inlines("\n".join(lines)) for lines in paragraphs if lines)
        )

    def _list(self) -> ItemList:
        root = OpenList.starting_with(ITEM.fullmatch(self.lines[self.position]))
        stack = [root]
        self.position += 1
        after_blank = False
        while self.position < len(self.lines):
            line = self.lines[self.position]
            if not line.strip():
                if not self._list_continues(stack):
                    break
                after_blank = True
                continue
            item = None if _RULE.fullmatch(line) else ITEM.fullmatch(line)
            if item is not None:
                place = placement(stack, item, after_blank=after_blank)
                if place[0] is END:
                    break
                add_item(stack, item, place)
            elif _starts_block(line):
                break
            else:
                stack[-1].add_text(line.strip())
            after_blank = False
            self.position += 1
        return self._freeze(root)

    def _list_continues(self, stack: list[OpenList]) -> bool:
        """After a blank line, a list goes on if its next item follows."""
        following = self.position
        while following < len(self.lines) and not self.lines[following].strip():
            following += 1
        if following == len(self.lines) or _RULE.fullmatch(self.lines[following]):
            return False
        item = ITEM.fullmatch(self.lines[following])
        if item is None or placement(stack, item, after_blank=True)[0] is END:
            return False
        self.position = following
        return True

    def _freeze(self, open_list: OpenList) -> ItemList:
        items = tuple(
            ListItem(
                self._inlines("\n".join(lines)),
                tuple(self._freeze(sublist) for sublist in sublists),
            )
            for lines, sublists in open_list.items
        )
        return ItemList(
            ordered=open_list.ordered,
            start=open_list.start,
            items=items,
            depth=open_list.depth,
        )

    def _inlines(self, text: str) -> tuple:
        return _typeset_nodes(_parse_inline(text, self.found))


def _trim_url(url: str) -> tuple[str, str]:
    """Split a bare address from the punctuation that ends its sentence."""
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _URL_TRAILING_PUNCTUATION:
            end -= 1
        elif last == ")" and url.count("(", 0, end) < url.count(")", 0, end):
            end -= 1
        else:
            break
    return url[:end], url[end:]


def _target(text: str, found: list[Placeholder]) -> tuple:
    parts: list = []
    position = 0
    for match in _SLOT.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        parts.append(found[int(match.group(1))])
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return tuple(parts)


def _slot(index: str, found: list[Placeholder]) -> Slot:
    placeholder = found[int(index)]
    if placeholder.conditional_text is None:
        return Slot(placeholder)
    conditional = _parse_inline(clean_text(placeholder.conditional_text), [])
    return Slot(placeholder, _typeset_nodes(conditional))


def _parse_label(text: str, found: list[Placeholder]) -> tuple:
    nodes: list = []
    position = 0
    for match in _LABEL_TOKEN.finditer(text):
        nodes.append(text[position : match.start()])
        if match.group("escaped"):
            nodes.append(match.group("escaped"))
        else:
            nodes.append(_slot(match.group("slot"), found))
        position = match.end()
    nodes.append(text[position:])
    return _typeset_nodes(nodes)


def _parse_inline(text: str, found: list[Placeholder]) -> list:
    """Template text → strings (raw text) and nodes, in order."""
    nodes: list = []
    position = 0
    while True:
        match = _INLINE_TOKEN.search(text, position)
        if match is None:
            nodes.append(text[position:])
            return nodes
        nodes.append(text[position : match.start()])
        position = match.end()
        kind = match.lastgroup
        if kind == "escaped":
            nodes.append(match.group("escaped"))
        elif kind == "slot":
            nodes.append(_slot(match.group("slot"), found))
        elif kind == "newline":
            nodes.append(LINE_BREAK)
        elif kind == "target":
            label = _parse_label(match.group("label"), found)
            target = _target(match.group("target"), found)
            kind = "image" if match.group("image") else "inline"
            nodes.append(Link(kind, label, target))
        elif kind == "angle":
            nodes.append(Link("angle", (), _target(match.group("angle"), found)))
        else:
            url, rest = _trim_url(match.group("bare"))
            nodes.append(Link("bare", (), _target(url, found)))
            position -= len(rest)


def _typeset_nodes(nodes: list) -> tuple:
    """Merge adjacent strings, apply typography across them (values and
    links stand as words), and turn them into ``Text`` nodes."""
    merged: list = []
    for node in nodes:
        if isinstance(node, str):
            if not node:
                continue
            if merged and isinstance(merged[-1], str):
                merged[-1] += node
                continue
        merged.append(node)
    joined = "".join(
        node if isinstance(node, str) else ("\n" if node is LINE_BREAK else "\x02")
        for node in merged
    )
    segments = iter(_SEPARATORS.split(typeset(joined)))
    result: list = []
    segment = next(segments)
    for node in merged:
        if isinstance(node, str):
            continue
        if segment:
            result.append(Text(plain=segment, html=html.escape(segment)))
        result.append(node)
        segment = next(segments)
    if segment:
        result.append(Text(plain=segment, html=html.escape(segment)))
    return tuple(result)
