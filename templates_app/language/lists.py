"""How list items nest, from their indentation.

The block parser (``markdown.py``) keeps a stack of the lists open at an
item line, outermost first; ``placement`` says where the line goes and
``add_item`` puts it there. An item line indented two spaces or more past
the item above it opens a sub-list of that item; a line indented less than
two spaces past an open sub-list's parent item closes that sub-list.
"""

import re

# Inside a list, an item line at any indentation: (indent, bullet, number,
# text). Tabs are already four spaces.
ITEM = re.compile(r"( *)(?:([*+\u2022-])|(\d{1,9})\.)[ \t]+(.*)")

MAX_LIST_DEPTH = 4

# Where an item line goes among the open lists (see ``placement``).
END = "end"  # a top-level item of the other kind: the list ends
_TEXT = "text"  # reads as the current item's text
_SIBLING = "sibling"  # the next item of an open list
_NEST = "nest"  # opens a sub-list in the last item of an open list
_RESTART = "restart"  # a sub-list of the other kind, beside the open one


class OpenList:
    """A list while it is parsed: each item is its lines and sub-lists;
    ``indent`` is its last item's."""

    __slots__ = ("depth", "indent", "items", "ordered", "start")

    def __init__(self, *, ordered: bool, start: int, depth: int = 1) -> None:
        self.ordered = ordered
        self.start = start
        self.depth = depth
        self.indent = 0
        self.items: list[tuple[list[str], list[OpenList]]] = []

    @classmethod
    def starting_with(cls, item: re.Match, *, depth: int = 1) -> "OpenList":
        """A list whose first item is the line ``item`` matched."""
        opened = cls(
            ordered=item.group(2) is None, start=start_number(item), depth=depth
        )
        opened.add(item)
        return opened

    def add(self, item: re.Match) -> None:
        self.items.append(([item.group(4).strip()], []))
        self.indent = len(item.group(1))

    def add_text(self, text: str) -> None:
        """Continue the last item's text with a line."""
        self.items[-1][0].append(text)


def start_number(item: re.Match) -> int:
    return 1 if item.group(3) is None else int(item.group(3))


def placement(
    stack: list[OpenList], item: re.Match, *, after_blank: bool
) -> tuple[str, int]:
    """Where an item line goes, and at which level of ``stack`` (the open
    lists, outermost first).

    The line leaves every level whose parent item it is not indented under
    (two spaces past that item's marker); then it nests if it is indented
    two spaces past the last item of its level, unless the deepest level is
    reached. As at the top, a numbered sub-list opened right under a line
    of text must start at 1, so that "2024. …" stays text.
    """
    indent = len(item.group(1))
    ordered = item.group(2) is None
    level = len(stack) - 1
    while level and indent < stack[level - 1].indent + 2:
        level -= 1
    current = stack[level]
    if indent >= current.indent + 2 and level + 1 < MAX_LIST_DEPTH:
        interrupts = ordered and start_number(item) != 1 and not after_blank
        return (_TEXT if interrupts else _NEST), level
    if ordered == current.ordered:
        return _SIBLING, level
    return (_RESTART if level else END), level


def add_item(stack: list[OpenList], item: re.Match, place: tuple) -> None:
    """Add an item line where ``placement`` put it; close deeper lists."""
    kind, level = place
    if kind is _TEXT:
        stack[-1].add_text(item.group().strip())
        return
    if kind is _SIBLING:
        del stack[level + 1 :]
        stack[level].add(item)
        return
    parent_level = level if kind is _NEST else level - 1
    del stack[parent_level + 1 :]
    sublist = OpenList.starting_with(item, depth=parent_level + 2)
    stack[parent_level].items[-1][1].append(sublist)
    stack.append(sublist)
