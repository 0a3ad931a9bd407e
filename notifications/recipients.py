"""Recipient validation and normalisation.

TODO(#3): first cut for the foundation; the full rules (phonenumbers for
French and international numbers, Notify's email rules with IDN domains,
simulated recipients) replace it behind the same functions.
"""

import re

EMAIL_PATTERN = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~\-]+@([^.@][^@\s]+)$")


class InvalidRecipientError(Exception):
    """The recipient is not a valid email address or phone number."""


def validate_email_address(value: str) -> str:
    """Return the address normalised for sending (lowercased)."""
    address = (value or "").strip()
    if not EMAIL_PATTERN.match(address) or ".." in address or len(address) > 320:
        raise InvalidRecipientError("Not a valid email address")
    return address.lower()
