"""The one entry point to validate, render and count a message.

The API, the back office, jobs and workers call these functions; they take
plain values (no model, no database) and return frozen results. The
machinery lives in ``templates_app.language``.

- ``placeholders(subject, body)``: a template's placeholder names.
- ``render_email(...)`` → ``RenderedEmail``: subject, markdown body, HTML
  document, plain-text alternative, sanitised content.
- ``render_sms(...)`` → ``RenderedSms``: normalised body, content sent,
  character and fragment counts, encoding, costly characters.
- ``preview(...)`` → ``Preview``: either channel, for display.
- Errors: ``MissingPersonalisationError``, ``EmptyMessageError``,
  ``MessageTooLongError``, all ``RenderingError``; ``str(error)`` is
  GOV.UK Notify's message.
"""

from templates_app.language.email import RenderedEmail, render_email
from templates_app.language.email_html import BRANDING_NEUTRAL, BRANDING_STATE
from templates_app.language.errors import (
    EMAIL_SIZE_LIMIT,
    SMS_CHARACTER_LIMIT,
    EmptyMessageError,
    MessageTooLongError,
    MissingPersonalisationError,
    RenderingError,
)
from templates_app.language.placeholders import normalise_key as normalise_name
from templates_app.language.placeholders import placeholders
from templates_app.language.preview import Preview, preview
from templates_app.language.sender import email_local_part
from templates_app.language.sms import RenderedSms, render_sms

__all__ = [
    "BRANDING_NEUTRAL",
    "BRANDING_STATE",
    "EMAIL_SIZE_LIMIT",
    "SMS_CHARACTER_LIMIT",
    "EmptyMessageError",
    "MessageTooLongError",
    "MissingPersonalisationError",
    "Preview",
    "RenderedEmail",
    "RenderedSms",
    "RenderingError",
    "email_local_part",
    "normalise_name",
    "placeholders",
    "preview",
    "render_email",
    "render_sms",
]
