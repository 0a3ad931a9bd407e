"""The platform's own emails to back-office users (password reset,
invitation), sent through the normal notification pipeline.

``services`` imports no other app of ours, so the sender is named by a
setting (``PLATFORM_EMAIL_SENDER``) and lives in ``notifications``.
"""

from django.conf import settings
from django.utils.module_loading import import_string

KINDS = ("password_reset", "invitation")


def platform_email_send(*, kind: str, email_address: str, personalisation: dict):
    """Send one of the platform's emails to a back-office user."""
    if kind not in KINDS:
        raise ValueError(f"Unknown platform email {kind!r}")
    sender = import_string(settings.PLATFORM_EMAIL_SENDER)
    return sender(
        kind=kind, email_address=email_address, personalisation=personalisation
    )
