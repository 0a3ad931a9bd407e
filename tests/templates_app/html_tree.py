"""A small reading of rendered HTML for assertions: the tags in order,
the links, and the text, with the standard library's parser."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"br", "hr", "meta", "img", "input", "link"}


@dataclass
class Element:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(
            child if isinstance(child, str) else child.text for child in self.children
        )

    def find_all(self, tag: str) -> list["Element"]:
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if child.tag == tag:
                    found.append(child)
                found.extend(child.find_all(tag))
        return found


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.stack = [self.root]
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.stack[-1].tag != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1].tag}>")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    """Parse ``html``; fail on a badly nested or unclosed element."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    unclosed = [element.tag for element in builder.stack[1:]]
    assert not builder.errors and not unclosed, (builder.errors, unclosed)
    return builder.root


def tags(html: str) -> list[str]:
    """Every start tag, in document order."""
    order: list[str] = []

    def walk(element: Element) -> None:
        for child in element.children:
            if isinstance(child, Element):
                order.append(child.tag)
                walk(child)

    walk(parse(html))
    return order
