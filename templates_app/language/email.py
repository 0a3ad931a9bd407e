"""Rendering an email: subject, markdown body (the API's ``content.body``),
HTML document and plain-text alternative, from one template and one
personalisation."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain

from .email_html import (
    BRANDING_STATE,
    BodyRenderer,
    document,
    footer_html,
    header_html,
    link_target,
)
from .email_text import TextRenderer
from .errors import (
    EMAIL_SIZE_LIMIT,
    EmptyMessageError,
    MessageTooLongError,
    MissingPersonalisationError,
)
from .markdown import compile_body
from .placeholders import (
    PLACEHOLDER_PATTERN,
    PlainTemplate,
    clean_text,
    compile_plain,
    fill_plain,
    format_value,
    is_truthy,
    missing_names,
    normalise_personalisation,
    parse_placeholder,
)
from .sanitise import displayed_personalisation, sanitise_personalisation
from .typography import NBSP, collapse_whitespace, typeset

# Characters that render as nothing but would survive ``str.split``.
_INVISIBLE = re.compile("[\u180e\u200b-\u200d\u2060\ufeff\u00ad]")


@dataclass(frozen=True)
class RenderedEmail:
    """An email ready to send.

    ``subject`` is on one line with its typography applied, as the
    recipient reads it; ``api_subject`` is the same with sanitised values
    still escaped (Notify's ``content.subject``, equal to ``subject`` when
    nothing was sanitised); ``body`` is the markdown source with the values
    filled in (Notify's ``content.body``); ``html`` is the whole HTML
    document and ``html_body`` only the message's part of it (Notify's
    preview ``html``), both empty when rendered without HTML; ``text`` is
    the plain-text alternative; ``sanitised_content`` reports the values
    changed by ``sanitise_content_for``.
    """

    subject: str
    body: str
    html: str
    text: str
    html_body: str = ""
    sanitised_content: dict = field(default_factory=dict)
    size_in_bytes: int = 0
    api_subject: str = ""

    @property
    def is_too_long(self) -> bool:
        return self.size_in_bytes > EMAIL_SIZE_LIMIT

    def check_length(self) -> None:
        """Raise ``MessageTooLongError`` if the body is over 2,000,000
        bytes (for callers that check the recipient first, as Notify
        does)."""
        if self.is_too_long:
            raise MessageTooLongError(channel="email", length=self.size_in_bytes)


def fill_subject(template: PlainTemplate, values: Mapping) -> str:
    """The subject on one line: no line break or control character can
    reach the mail header, whatever the values hold."""
    subject = clean_text(fill_plain(template, values))
    return typeset(collapse_whitespace(_INVISIBLE.sub("", subject)))


def _fill_source_value(match: re.Match, values: Mapping) -> str:
    placeholder = parse_placeholder(match.group(1))
    if placeholder is None:
        return match.group()
    raw = values[placeholder.key]
    if placeholder.conditional_text is not None:
        return placeholder.conditional_text if is_truthy(raw) else ""
    value = format_value(raw)
    if isinstance(value, tuple):
        return "\n\n" + "\n".join(f"* {item}" for item in value) if value else ""
    return value


def fill_markdown(source: str, values: Mapping) -> str:
    """The markdown source with the values written in (Notify's
    ``content.body``): list values become markdown bullets."""
    filled = PLACEHOLDER_PATTERN.sub(
        lambda match: _fill_source_value(match, values), source or ""
    )
    return clean_text(filled).strip()


def render_email(
    *,
    subject: str,
    body: str,
    personalisation: Mapping | None,
    service_name: str = "",
    branding: str = BRANDING_STATE,
    sanitise_content_for: Iterable[str] | None = None,
    sanitised_keys: Iterable[str] | None = None,
    unsubscribe_url: str = "",
    with_html: bool = True,
    check_length: bool = True,
    logo_url: str = "",
) -> RenderedEmail:
    """Render an email; raise ``MissingPersonalisationError``, then
    ``EmptyMessageError``, then (unless ``check_length`` is false)
    ``MessageTooLongError``.

    ``sanitise_content_for`` names the keys to sanitise now (a send);
    ``sanitised_keys`` the keys of a stored personalisation that were
    sanitised when it was accepted (a delivery), shown unescaped."""
    personalisation = personalisation or {}
    display, report = personalisation, {}
    if sanitise_content_for:
        body_values, shown, report = sanitise_personalisation(
            personalisation, sanitise_content_for
        )
        if report:
            personalisation, display = body_values, shown
    elif sanitised_keys:
        display = displayed_personalisation(personalisation, sanitised_keys)
    values = normalise_personalisation(display)
    subject_template = compile_plain(subject)
    compiled = compile_body(body)
    found = chain(subject_template.placeholders, compiled.placeholders)
    missing = missing_names(found, values)
    if missing:
        raise MissingPersonalisationError(missing)

    source_values = (
        values
        if display is personalisation
        else normalise_personalisation(personalisation)
    )
    filled_body = fill_markdown(body, source_values)
    if not filled_body:
        raise EmptyMessageError()
    size = len(filled_body.encode("utf-8"))
    if check_length and size > EMAIL_SIZE_LIMIT:
        raise MessageTooLongError(channel="email", length=size)

    filled_subject = fill_subject(subject_template, values)
    api_subject = (
        filled_subject
        if source_values is values
        else fill_subject(subject_template, source_values)
    )
    unsubscribe_href = link_target(unsubscribe_url) if unsubscribe_url else None
    formatted: dict = {}
    text = TextRenderer(values, formatted).render(compiled)
    if unsubscribe_href:
        notice = f"Pour ne plus recevoir ces messages{NBSP}: {unsubscribe_href}"
        text += f"\n\n---\n\n{notice}"
    html_body = html = ""
    if with_html:
        html_body = BodyRenderer(values, formatted).render(compiled)
        html = document(
            title=filled_subject,
            header=header_html(branding, service_name or "", logo_url),
            body=html_body,
            footer=footer_html(service_name or "", unsubscribe_href),
        )
    return RenderedEmail(
        subject=filled_subject,
        body=filled_body,
        html=html,
        text=text,
        html_body=html_body,
        sanitised_content=report,
        size_in_bytes=size,
        api_subject=api_subject,
    )
