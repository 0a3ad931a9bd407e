"""Previews of a template while it is written: placeholders shown as
themselves, the email as a full document for a sandboxed frame, and what
an SMS costs.

Everything goes through ``templates_app.rendering`` (the template
language); this module only adapts its results for the screens.
"""

from dataclasses import dataclass

from . import rendering

ENCODING_LABELS = {"gsm": "GSM-7", "ucs2": "UCS-2"}


@dataclass(frozen=True)
class SmsPreview:
    body: str
    character_count: int
    fragment_count: int
    encoding: str
    # Characters that cost more: those forcing UCS-2, or counting double.
    costly_characters: list[str]


@dataclass(frozen=True)
class EmailPreview:
    subject: str
    document: str


def sample_personalisation(*texts: str) -> dict[str, str]:
    """Each placeholder filled with itself, so the preview shows where
    values go."""
    return {name: f"(({name}))" for name in rendering.placeholders(*texts)}


def email_preview(
    *,
    subject: str,
    body: str,
    service_name: str = "",
    branding: str = "state",
    logo_url: str = "",
) -> EmailPreview:
    """The email as its recipients will see it (the service's name and
    branding), placeholders shown where the values go."""
    rendered = rendering.render_email(
        subject=subject,
        body=body,
        personalisation=sample_personalisation(subject, body),
        service_name=service_name,
        branding=branding,
        logo_url=logo_url,
        check_length=False,
    )
    return EmailPreview(subject=rendered.subject, document=rendered.html)


def sms_preview(*, body: str, prefix: str = "") -> SmsPreview:
    rendered = rendering.render_sms(
        body=body,
        personalisation=sample_personalisation(body),
        prefix=prefix,
        check_length=False,
    )
    return SmsPreview(
        body=rendered.body,
        character_count=rendered.character_count,
        fragment_count=rendered.fragment_count,
        encoding=ENCODING_LABELS[rendered.encoding],
        # Characters that force UCS-2, or else those counting double.
        costly_characters=list(
            rendered.unicode_characters or rendered.extended_characters
        ),
    )
