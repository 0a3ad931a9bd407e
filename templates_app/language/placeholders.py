"""Placeholders: ``((name))`` and the conditional ``((name??text))``.

A placeholder's name is matched against the personalisation ignoring case,
whitespace, ``_`` and ``-``, so ``((First name))`` takes the value of
``first_name`` or ``FIRST-NAME``. A conditional shows its text when the
value is one of GOV.UK Notify's truthy words (``yes``, ``y``, ``true``,
``t``, ``1``, ``include``, ``show``) or a French one (``oui``, ``vrai``),
and nothing otherwise.

Values: ``None`` counts as missing; strings are used as they are; booleans
read ``oui`` / ``non`` (French messages; they stay truthy / falsy for
conditionals); numbers are written as Python writes them; lists keep their
non-empty items and are laid out per channel by the renderers; anything
else (a JSON object) is written as JSON.
"""

import decimal
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

PLACEHOLDER_PATTERN = re.compile(r"\(\(([^()]+)\)\)")
CONDITIONAL_SEPARATOR = "??"
TRUTHY_WORDS = frozenset(
    {"yes", "y", "true", "t", "1", "include", "show", "oui", "vrai"}
)

_IGNORED_IN_KEYS = re.compile(r"[\s_-]+")
# NUL and other control characters (C0 and C1) have no place in a message (PostgreSQL
# refuses NUL in text, mail headers must not carry them); lone surrogates
# cannot be encoded, so they become U+FFFD.
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_ENDINGS = re.compile(r"\r\n?")

ListValue = tuple[str, ...]
Value = str | ListValue


@dataclass(frozen=True, slots=True)
class Placeholder:
    """One ``((…))`` as written in a template."""

    name: str
    key: str
    conditional_text: str | None = None

    @property
    def is_conditional(self) -> bool:
        return self.conditional_text is not None


@lru_cache(maxsize=4096)
def normalise_key(name: str) -> str:
    """The form names are compared in: no case, whitespace, ``_`` or ``-``."""
    return _IGNORED_IN_KEYS.sub("", name).lower()


@lru_cache(maxsize=4096)
def parse_placeholder(inside: str) -> Placeholder | None:
    """The placeholder written ``((inside))``; ``None`` when its name is
    blank (``(( ))`` is kept as text)."""
    name, separator, text = inside.partition(CONDITIONAL_SEPARATOR)
    name = name.strip()
    if not name:
        return None
    return Placeholder(
        name=name, key=normalise_key(name), conditional_text=text if separator else None
    )


def find_placeholders(text: str) -> Iterable[Placeholder]:
    """Every placeholder of ``text`` in order, repeats included."""
    for match in PLACEHOLDER_PATTERN.finditer(text or ""):
        placeholder = parse_placeholder(match.group(1))
        if placeholder is not None:
            yield placeholder


_LITERAL, _VALUE, _CONDITIONAL = 0, 1, 2


@dataclass(frozen=True, slots=True)
class PlainTemplate:
    """A plain-text template (a subject, a text message) split once:
    ``steps`` are ``(kind, text or key, conditional text)`` in order."""

    steps: tuple
    placeholders: tuple


@lru_cache(maxsize=512)
def compile_plain(source: str) -> PlainTemplate:
    """Split a plain-text template once; later renders reuse it."""
    steps: list[tuple] = []
    found: list[Placeholder] = []
    position = 0
    source = clean_text(source or "")
    for match in PLACEHOLDER_PATTERN.finditer(source):
        placeholder = parse_placeholder(match.group(1))
        if placeholder is None:
            continue
        if match.start() > position:
            steps.append((_LITERAL, source[position : match.start()], None))
        if placeholder.conditional_text is None:
            steps.append((_VALUE, placeholder.key, None))
        else:
            steps.append((_CONDITIONAL, placeholder.key, placeholder.conditional_text))
        found.append(placeholder)
        position = match.end()
    if position < len(source):
        steps.append((_LITERAL, source[position:], None))
    return PlainTemplate(steps=tuple(steps), placeholders=tuple(found))


def fill_plain(template: PlainTemplate, values: Mapping) -> str:
    """Write the values into a plain-text template; a list value reads
    ``a, b et c``. The caller cleans the result (``clean_text``)."""
    texts = []
    for kind, text, conditional_text in template.steps:
        if kind == _LITERAL:
            texts.append(text)
            continue
        value = values[text]
        if kind == _CONDITIONAL:
            if is_truthy(value):
                texts.append(conditional_text)
        elif value.__class__ is str:
            texts.append(value)
        else:
            value = format_value(value)
            texts.append(join_words(value) if isinstance(value, tuple) else value)
    return "".join(texts)


def placeholders(*texts: str) -> list[str]:
    """Placeholder names as first written, in order of appearance across
    ``texts`` (for an email, pass the subject then the body)."""
    seen: dict[str, str] = {}
    for text in texts:
        for placeholder in find_placeholders(text):
            seen.setdefault(placeholder.key, placeholder.name)
    return list(seen.values())


@lru_cache(maxsize=1024)
def _key_map(keys: tuple) -> dict:
    """Normalised name → key as sent, for one set of personalisation keys
    (services send the same keys again and again)."""
    return {
        normalise_key(key if key.__class__ is str else str(key)): key for key in keys
    }


def normalise_personalisation(personalisation: Mapping | None) -> dict[str, object]:
    """Values by normalised name; ``None`` values are left out (missing).
    When two keys have the same normalised name, the later one wins."""
    if not personalisation:
        return {}
    get = personalisation.__getitem__
    return {
        name: get(key)
        for name, key in _key_map(tuple(personalisation)).items()
        if get(key) is not None
    }


def missing_names(found: Iterable[Placeholder], values: Mapping) -> list[str]:
    """Names (as first written) of the placeholders without a value."""
    missing: dict[str, str] = {}
    for placeholder in found:
        if placeholder.key not in values:
            missing.setdefault(placeholder.key, placeholder.name)
    return list(missing.values())


def clean_text(text: str) -> str:
    """Unify line endings and drop characters no message may carry."""
    if text.isprintable():
        return text
    if "\r" in text:
        text = _LINE_ENDINGS.sub("\n", text)
    if _UNSAFE_CHARACTERS.search(text):
        text = _UNSAFE_CHARACTERS.sub(_replace_unsafe, text)
    return text


def _replace_unsafe(match: re.Match) -> str:
    return "\ufffd" if match.group() >= "\ud800" else ""


def format_scalar(value: object) -> str:
    """A single value written as text."""
    if value.__class__ is str or isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:
            # Past Python's limit on int-to-str digits: scientific notation.
            return format(decimal.Decimal(value), ".15e")
    if isinstance(value, float):
        return repr(value)
    try:
        return clean_text(json.dumps(value, ensure_ascii=False, default=str))
    except (TypeError, ValueError):
        # Circular, or holding an integer too long to write: say so
        # rather than fail the whole message.
        return "…"


def format_value(value: object) -> Value:
    """A value as text, or a list value as its non-empty items."""
    if value.__class__ is str:
        return clean_text(value)
    if isinstance(value, list | tuple):
        items = (format_scalar(item) for item in value if item is not None)
        return tuple(item for item in items if item.strip())
    return format_scalar(value)


def is_truthy(value: object) -> bool:
    """Whether a conditional placeholder shows its text for ``value``."""
    if value.__class__ is str:
        return value.strip().lower() in TRUTHY_WORDS
    if isinstance(value, bool):
        return value
    if isinstance(value, list | tuple | dict):
        return False
    return format_scalar(value).strip().lower() in TRUTHY_WORDS


def join_words(items: ListValue) -> str:
    """``a, b et c``: a list value written inline, in French."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} et {items[-1]}"
