"""``sanitise_content_for``: personalisation the service does not trust.

For each named key (matched as placeholders are), as GOV.UK Notify does:
web addresses are removed (a bare domain such as ``example.com`` is broken
up as ``example. com`` instead, so it stays readable but is no longer an
address), then every markdown character is escaped with a backslash. The
escaped text is what the API returns in ``content.body`` and in
``sanitised_content``.

Our renderers never read markdown or HTML in personalisation in the first
place, so the escaping only matters for the API's markdown body; the HTML
and plain-text parts show the value with the addresses removed and without
the backslashes, which is what Notify's recipients see.
"""

import re
from collections.abc import Iterable, Mapping

from .placeholders import normalise_key

# A web address, with or without its scheme: one or more dotted labels, a
# top-level domain of letters, then an optional path, query or fragment.
# It must not sit inside a word, after a dot or an ``@`` (the domain of an
# email address), nor be followed by ``@`` (the local part of one).
_WEB_ADDRESS = re.compile(
    r"(?<![\w@.-])(?:https?://)?(?:[\w-]+\.)+[a-z]{2,63}(?!@)\b"
    r"(?:[/?#][^\s<]*)?",
    re.IGNORECASE,
)
_BARE_DOMAIN = re.compile(r"[A-Za-z0-9.-]+")
_MARKDOWN_CHARACTER = re.compile(r"[`*_(){}\[\]<>#+\-.!|\\]")
_ESCAPED_CHARACTER = re.compile(r"\\([`*_(){}\[\]<>#+\-.!|\\])")


def _defuse_address(match: re.Match) -> str:
    address = match.group()
    if _BARE_DOMAIN.fullmatch(address):
        return ". ".join(address.split("."))
    return ""


def sanitise_text(text: str) -> str:
    """Notify's sanitising of one personalisation string."""
    text = _WEB_ADDRESS.sub(_defuse_address, text)
    return _MARKDOWN_CHARACTER.sub(r"\\\g<0>", text)


def unescape(text: str) -> str:
    """What a markdown reader shows for sanitised text."""
    return _ESCAPED_CHARACTER.sub(r"\1", text)


def _sanitise_value(value: object) -> object:
    if isinstance(value, str):
        return sanitise_text(value)
    if isinstance(value, list | tuple):
        return [_sanitise_value(item) for item in value]
    return value


def _display(value: object) -> object:
    if isinstance(value, str):
        return unescape(value)
    if isinstance(value, list):
        return [_display(item) for item in value]
    return value


def displayed_personalisation(personalisation: Mapping, keys: Iterable[str]) -> dict:
    """The personalisation as the email shows it, from stored values where
    ``keys`` (exact keys, as ``sanitise_personalisation`` reported them)
    hold sanitised text: those are unescaped."""
    display = dict(personalisation)
    for key in keys:
        if key in display:
            display[key] = _display(display[key])
    return display


def sanitise_personalisation(
    personalisation: Mapping, keys: Iterable[str]
) -> tuple[dict, dict, dict]:
    """Sanitise the values of ``keys``.

    Return the personalisation for the markdown body (escaped), the one to
    display (addresses removed, not escaped), and the report
    ``{key as sent: {"unsanitised": …, "sanitised": …}}`` of the keys whose
    value changed.
    """
    wanted = {normalise_key(str(key)) for key in keys if key is not None}
    for_body = dict(personalisation)
    for_display = dict(personalisation)
    report = {}
    for key, value in personalisation.items():
        if normalise_key(str(key)) not in wanted:
            continue
        sanitised = _sanitise_value(value)
        if sanitised == value:
            continue
        for_body[key] = sanitised
        for_display[key] = _display(sanitised)
        report[key] = {"unsanitised": value, "sanitised": sanitised}
    return for_body, for_display, report
