"""Recipient validation and normalisation: email addresses, phone numbers,
simulated recipients. Pure functions with no model or database, fast
enough for the API's hot path.

- ``validate_email_address(value) -> str``
- ``validate_phone_number(value, *, allow_international=True,
  allow_landline=False) -> PhoneNumber``
- ``InvalidRecipientError`` and its subclasses: ``str(error)`` and
  ``error.message`` are GOV.UK Notify's API text, ``error.french_message``
  the back office's, ``error.problem`` the rule that failed.
- ``is_simulated_email_address``, ``is_simulated_phone_number``,
  ``test_key_email_outcome``, ``test_key_phone_outcome``.
"""

from .email import validate_email_address
from .errors import (
    InternationalNumberNotAllowedError,
    InvalidEmailAddressError,
    InvalidPhoneNumberError,
    InvalidRecipientError,
    Problem,
)
from .phone import FRENCH_COUNTRY_CODES, PhoneNumber, validate_phone_number
from .simulated import (
    is_simulated_email_address,
    is_simulated_phone_number,
    test_key_email_outcome,
    test_key_phone_outcome,
)

__all__ = [
    "FRENCH_COUNTRY_CODES",
    "InternationalNumberNotAllowedError",
    "InvalidEmailAddressError",
    "InvalidPhoneNumberError",
    "InvalidRecipientError",
    "PhoneNumber",
    "Problem",
    "is_simulated_email_address",
    "is_simulated_phone_number",
    "test_key_email_outcome",
    "test_key_phone_outcome",
    "validate_email_address",
    "validate_phone_number",
]
