"""The plain-text part of an email, from the same compiled body as the HTML.

Headings are underlined (``=`` for ``#``, ``-`` for ``##``), bullets read
``•`` (``◦`` then ``▪`` in sub-lists, as the HTML draws them), numbered
items ``1.``, a sub-list is indented to its item's text, a link reads
``text : address``, a rule is a row of dashes, and an inset is a plain
paragraph.
"""

from .email_html import BodyRenderer, link_target
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
from .placeholders import is_truthy, join_words
from .typography import NBSP, typeset

_UNDERLINE_LIMIT = 65
RULE_TEXT = "-" * 40
_BULLETS = ("\u2022", "\u25e6", "\u25aa")


class TextRenderer(BodyRenderer):
    """Renders a compiled body as plain text."""

    def render(self, body: CompiledBody) -> str:
        out: list[str] = []
        for block in body.blocks:
            kind = type(block)
            if kind is Paragraph:
                self._paragraph(block.inlines, out, "")
            elif kind is Heading:
                self._heading(block, out)
            elif kind is ItemList:
                self._list(block, out)
            elif kind is Inset:
                self._inset(block, out)
            elif kind is Rule:
                out.append(RULE_TEXT)
        return "\n\n".join(out)

    def _node(self, node) -> str:
        kind = type(node)
        if kind is Text:
            return node.plain
        if kind is Slot:
            return self._slot(node)
        if node is LINE_BREAK:
            return "\n"
        return self._link(node)

    def _slot(self, slot: Slot) -> str:
        placeholder = slot.placeholder
        if placeholder.conditional_text is not None:
            if is_truthy(self.values[placeholder.key]):
                return self.inline(slot.conditional)
            return ""
        value = self.value(placeholder.key)
        return typeset(join_words(value) if isinstance(value, tuple) else value)

    def _link(self, link: Link) -> str:
        target = self.target_text(link.target)
        label = self.inline(link.label).strip() if link.label else ""
        if link.kind == "image":
            return f"![{label}]({target})"
        if link_target(target) is None:
            if link.kind == "inline":
                return f"[{label}]({target})"
            return f"<{target}>" if link.kind == "angle" else target
        if not label or label == target:
            return target
        return f"{label}{NBSP}: {target}"

    def _paragraph(self, nodes: tuple, out: list[str], opening: str) -> None:
        parts: list[str] = []
        for node in nodes:
            items = self._list_value(node) if type(node) is Slot else None
            if items is None:
                parts.append(self._node(node))
                continue
            _flush(parts, out)
            parts = []
            out.append(_bullets(items))
        _flush(parts, out)

    def _heading(self, block: Heading, out: list[str]) -> None:
        text = self.inline(block.inlines).strip()
        if not text:
            return
        longest = max(len(line) for line in text.split("\n"))
        underline = ("=" if block.level == 1 else "-") * min(longest, _UNDERLINE_LIMIT)
        out.append(f"{text}\n{underline}")

    def _list(self, block: ItemList, out: list[str]) -> None:
        lines: list[str] = []
        self._list_lines(block, "", lines)
        if lines:
            out.append("\n".join(lines))

    def _list_lines(self, block: ItemList, indent: str, lines: list[str]) -> None:
        number = block.start
        bullet = _BULLETS[min(block.depth, len(_BULLETS)) - 1]
        for item in block.items:
            texts = self._item_texts(item)
            for position, text in enumerate(texts):
                marker = f"{number}." if block.ordered else bullet
                hanging = indent + " " * (len(marker) + 1)
                nested: list[str] = []
                if position == len(texts) - 1:
                    # Sub-lists written under a list value follow its last
                    # item, as in the HTML.
                    for sublist in item.sublists:
                        self._list_lines(sublist, hanging, nested)
                if not text and not nested:
                    continue
                line = f"{indent}{marker} {text}".rstrip()
                lines.append(line.replace("\n", "\n" + hanging))
                lines.extend(nested)
                number += 1

    def _item_texts(self, item: ListItem) -> list[str]:
        inlines = item.inlines
        expanded = self._list_value(inlines[0]) if len(inlines) == 1 else None
        if expanded:
            return [typeset(text) for text in expanded]
        return [self.inline(inlines).strip()]

    def _inset(self, block: Inset, out: list[str]) -> None:
        for paragraph in block.paragraphs:
            self._paragraph(paragraph, out, "")


def _flush(parts: list[str], out: list[str]) -> None:
    text = "".join(parts).strip()
    if text:
        out.append(text)


def _bullets(items: tuple) -> str:
    return "\n".join(f"\u2022 {typeset(item)}".replace("\n", "\n  ") for item in items)
