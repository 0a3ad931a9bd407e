"""The platform's own emails to back-office users (password reset,
invitation), sent through the normal notification pipeline.

``services`` imports no other app of ours, so the sender is named by a
setting (``PLATFORM_EMAIL_SENDER``) and lives in ``notifications``.
"""

from django.conf import settings
from django.utils.module_loading import import_string

KINDS = ("password_reset", "invitation")


class PlatformEmailError(Exception):
    """The platform's email was refused (a daily limit reached, say);
    ``message`` says why, in French, for the back office."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def platform_email_send(*, kind: str, email_address: str, personalisation: dict):
    """Send one of the platform's emails to a back-office user; raise
    ``PlatformEmailError`` if it cannot be sent."""
    if kind not in KINDS:
        raise ValueError(f"Unknown platform email {kind!r}")
    sender = import_string(settings.PLATFORM_EMAIL_SENDER)
    return sender(
        kind=kind, email_address=email_address, personalisation=personalisation
    )
