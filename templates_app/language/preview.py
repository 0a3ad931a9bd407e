"""Previews for the API's ``POST /v2/template/{id}/preview`` and the back
office: one call renders a template version with given values, or with
stand-ins for the missing ones."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .email import render_email
from .email_html import BRANDING_STATE, Sample
from .placeholders import normalise_key, placeholders
from .sms import RenderedSms, render_sms

CHANNEL_EMAIL = "email"
CHANNEL_SMS = "sms"


@dataclass(frozen=True)
class Preview:
    """A rendered template version.

    ``body`` is Notify's ``content.body`` (the filled markdown for an
    email, the normalised text for a text message); ``subject`` is
    ``None`` for a text message; ``html`` is the whole HTML email and
    ``html_body`` its message part (the API's ``html``); ``text`` is the
    plain-text alternative or the text message as sent; ``sms`` holds
    the counts and costs of a text message; ``samples`` names the
    placeholders shown as stand-ins.
    """

    channel: str
    body: str
    subject: str | None
    html: str
    html_body: str
    text: str
    placeholders: tuple[str, ...]
    samples: tuple[str, ...] = ()
    sms: RenderedSms | None = None

    def api_fields(self) -> dict:
        """``body``, ``html`` and ``subject`` as the preview endpoint
        returns them."""
        return {
            "body": self.body,
            "html": self.html_body if self.channel == CHANNEL_EMAIL else None,
            "subject": self.subject,
        }


def _with_samples(names: list[str], personalisation: Mapping) -> tuple[dict, tuple]:
    given = {
        normalise_key(str(key))
        for key, value in personalisation.items()
        if value is not None
    }
    values = dict(personalisation)
    samples = []
    for name in names:
        if normalise_key(name) not in given:
            values[name] = Sample(f"(({name}))")
            samples.append(name)
    return values, tuple(samples)


def preview(
    *,
    channel: str,
    body: str,
    subject: str = "",
    personalisation: Mapping | None = None,
    use_samples: bool = False,
    service_name: str = "",
    branding: str = BRANDING_STATE,
    sms_prefix: str = "",
    sanitise_content_for: Iterable[str] | None = None,
    logo_url: str = "",
    check_length: bool = False,
) -> Preview:
    """Render a template version for display. Without ``use_samples`` a
    missing value raises ``MissingPersonalisationError`` (the API's
    behaviour); with it, a missing value shows as its ``((name))``,
    highlighted in the HTML. An empty message raises
    ``EmptyMessageError``; lengths are reported, and enforced
    (``MessageTooLongError``) only with ``check_length``, as the API
    does."""
    personalisation = dict(personalisation or {})
    texts = (subject, body) if channel == CHANNEL_EMAIL else (body,)
    names = placeholders(*texts)
    samples: tuple = ()
    if use_samples:
        personalisation, samples = _with_samples(names, personalisation)

    if channel == CHANNEL_SMS:
        sms = render_sms(
            body=body,
            personalisation=personalisation,
            prefix=sms_prefix,
            check_length=check_length,
        )
        return Preview(
            channel=channel,
            body=sms.body,
            subject=None,
            html="",
            html_body="",
            text=sms.content,
            placeholders=tuple(names),
            samples=samples,
            sms=sms,
        )
    email = render_email(
        subject=subject,
        body=body,
        personalisation=personalisation,
        service_name=service_name,
        branding=branding,
        sanitise_content_for=sanitise_content_for,
        check_length=check_length,
        logo_url=logo_url,
    )
    return Preview(
        channel=channel,
        body=email.body,
        subject=email.subject,
        html=email.html,
        html_body=email.html_body,
        text=email.text,
        placeholders=tuple(names),
        samples=samples,
    )
