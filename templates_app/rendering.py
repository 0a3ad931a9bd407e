"""The one entry point to validate and render a message.

The API, the back office, jobs and workers call these functions; they take
plain values (no model, no database) and return frozen results.

TODO(#3): this is the foundation's first cut (plain placeholder filling);
the full template language (conditionals, lists, email markdown, DSFR HTML,
GSM/UCS-2 counting) replaces its internals behind the same functions.
"""

import html
import re
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\(\(([^()]+)\)\)")


class MissingPersonalisationError(Exception):
    """Some placeholders have no value."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(f"Missing personalisation: {', '.join(names)}")
        self.names = names


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str
    html: str
    text: str


@dataclass(frozen=True)
class RenderedSms:
    body: str
    character_count: int
    fragment_count: int


def normalise_name(name: str) -> str:
    return re.sub(r"[\s_-]", "", name).lower()


def placeholders(*texts: str) -> list[str]:
    """Placeholder names as first written, in order of appearance."""
    seen: dict[str, str] = {}
    for text in texts:
        for match in PLACEHOLDER.finditer(text or ""):
            name = match.group(1).split("??")[0].strip()
            seen.setdefault(normalise_name(name), name)
    return list(seen.values())


def _values(personalisation: dict) -> dict[str, str]:
    return {
        normalise_name(str(key)): str(value)
        for key, value in (personalisation or {}).items()
        if value is not None
    }


def _fill(text: str, values: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1).split("??")[0].strip()
        return values[normalise_name(name)]

    return PLACEHOLDER.sub(replace, text)


def _check(values: dict[str, str], *texts: str) -> None:
    missing = [
        name for name in placeholders(*texts) if normalise_name(name) not in values
    ]
    if missing:
        raise MissingPersonalisationError(missing)


def render_email(*, subject: str, body: str, personalisation: dict) -> RenderedEmail:
    values = _values(personalisation)
    _check(values, subject, body)

    filled_subject = " ".join(_fill(subject, values).split())
    filled_body = _fill(body, values).strip()
    paragraphs = [p for p in re.split(r"\n\s*\n", filled_body) if p.strip()]
    html_body = "".join(
        f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs
    )
    return RenderedEmail(
        subject=filled_subject, body=filled_body, html=html_body, text=filled_body
    )


def render_sms(*, body: str, personalisation: dict, prefix: str = "") -> RenderedSms:
    values = _values(personalisation)
    _check(values, body)

    filled = " ".join(_fill(body, values).split(" ")).strip()
    full = f"{prefix}: {filled}" if prefix else filled
    count = len(full)
    fragments = 1 if count <= 160 else -(-count // 153)
    return RenderedSms(body=filled, character_count=count, fragment_count=fragments)


def email_local_part(name: str) -> str:
    """The From address's local part made from a sender name: accents
    stripped, lowercased, words of other characters dropped, spaces turned
    into dots (``Ministère de l'Intérieur`` → ``ministere.de.linterieur``)."""
    import unicodedata

    ascii_name = (
        unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    )
    words = [re.sub(r"[^a-z0-9.\-_]", "", word) for word in ascii_name.split()]
    local_part = ".".join(word for word in words if word)
    local_part = re.sub(r"\.{2,}", ".", local_part).strip(".")
    return local_part or "notifications"
