"""Email addresses, by GOV.UK Notify's rules, with internationalised
domain names (``agent@mairie-évry.fr``).

The local part must use the characters of Notify's pattern (ASCII); the
address is at most 320 characters with no ``..``; the domain must encode
to IDNA (UTS #46 mapping, then IDNA 2008) in at most 253 characters, with
at least two labels of 1 to 63 characters each, and a top-level domain of
letters or a valid ``xn--`` label.

The normalised form is lowercased, and its domain is written in Unicode
whether it was typed in Unicode or as ``xn--``: both reach the same
mailbox, so a guest list compares them equal.
"""

import re

import idna

from .errors import InvalidEmailAddressError

MAX_LENGTH = 320
MAX_HOSTNAME_LENGTH = 253
MAX_LABEL_LENGTH = 63

_ADDRESS = re.compile(r"([a-zA-Z0-9.!#$%&'*+/=?^_`{|}~\-]+)@([^.@][^@\s]+)")
_LABEL = re.compile(r"^(xn|[a-z0-9]+)(-?-[a-z0-9]+)*$", re.IGNORECASE)
_TOP_LEVEL_DOMAIN = re.compile(
    r"^([a-z]{2,63}|xn--([a-z0-9]+-)*[a-z0-9]+)$", re.IGNORECASE
)
# Invisible characters that copying an address from a document brings
# along; Notify strips them too.
_INVISIBLE = re.compile("[\u180e\u200b-\u200d\u2060\ufeff]")
_EDGE_SPACES = " \t\n\r\f\v\u00a0\u202f\u2007\u3000"


def _ascii_hostname(hostname: str) -> str:
    if hostname.isascii() and "xn--" not in hostname.lower():
        return hostname.lower()
    try:
        return idna.encode(hostname, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError) as error:
        raise InvalidEmailAddressError() from error


def _unicode_hostname(ascii_hostname: str) -> str:
    if "xn--" not in ascii_hostname:
        return ascii_hostname
    try:
        return idna.decode(ascii_hostname)
    except (idna.IDNAError, UnicodeError, ValueError) as error:
        raise InvalidEmailAddressError() from error


def _check_hostname(ascii_hostname: str) -> None:
    labels = ascii_hostname.split(".")
    if len(ascii_hostname) > MAX_HOSTNAME_LENGTH or len(labels) < 2:
        raise InvalidEmailAddressError()
    for label in labels:
        if not label or len(label) > MAX_LABEL_LENGTH or not _LABEL.match(label):
            raise InvalidEmailAddressError()
    if not _TOP_LEVEL_DOMAIN.match(labels[-1]):
        raise InvalidEmailAddressError()


def validate_email_address(value: str) -> str:
    """Check an email address and return it normalised for sending and
    matching; raise ``InvalidEmailAddressError`` (``Not a valid email
    address``)."""
    if not isinstance(value, str):
        raise InvalidEmailAddressError()
    address = _INVISIBLE.sub("", value).strip(_EDGE_SPACES)
    match = _ADDRESS.fullmatch(address)
    if not match or len(address) > MAX_LENGTH or ".." in address:
        raise InvalidEmailAddressError()

    ascii_hostname = _ascii_hostname(match.group(2))
    _check_hostname(ascii_hostname)

    normalised = f"{match.group(1).lower()}@{_unicode_hostname(ascii_hostname)}"
    if len(normalised) > MAX_LENGTH:
        raise InvalidEmailAddressError()
    return normalised
