"""The signed-in user's own details: their name and mobile number.

``services`` has no phone rules (``notifications.recipients`` owns them)
and imports no other app of ours, so the mobile number is checked by the
function the ``MOBILE_NUMBER_NORMALISER`` setting names, as the platform's
emails are sent through ``PLATFORM_EMAIL_SENDER`` (``services.platform``).
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from .models import User

logger = logging.getLogger(__name__)


class InvalidMobileNumberError(Exception):
    """The number cannot receive text messages; ``message`` says why, in
    French, for the back office."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def mobile_number_normalise(value: str) -> str:
    """The number in E.164 form (``+33612345678``); raise
    ``InvalidMobileNumberError`` if it cannot receive text messages."""
    normaliser = import_string(settings.MOBILE_NUMBER_NORMALISER)
    return normaliser(value)


def user_details_update(*, user: User, full_name: str, mobile_number: str) -> User:
    """Save the user's name and mobile number (already normalised). The
    mobile number is part of every team the user belongs to, which the
    API's cache learns from the save (``notifications.signals``)."""
    user.full_name = full_name
    user.mobile_number = mobile_number
    user.save(update_fields=["full_name", "mobile_number"])

    logger.info("User %s updated their details", user.pk, extra={"user_id": user.pk})
    return user
