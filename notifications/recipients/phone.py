"""Phone numbers for text messages, with ``phonenumbers`` (Google's
libphonenumber metadata).

Accepted forms: French numbers as people write them (``06 12 34 56 78``,
``06.12.34.56.78``, ``06-12-34-56-78``, ``+33 6 12 34 56 78``,
``+33 (0)6 12 34 56 78``, ``0033 6 12 34 56 78``, ``612345678``), the
overseas departments and territories in their own national form
(``0692 12 34 56`` is La Réunion, ``0690…`` Guadeloupe, ``0696…``
Martinique, ``0694…`` Guyane, ``0639…`` Mayotte) or with their own
prefix (+262, +590, +594, +596, +508, +681, +687, +689), and any other
country in international form, with or without its ``+``.

Refused for text messages: landlines and internet-box numbers (01–05,
09), special numbers (08: premium, free or shared cost; Notify's "not
valid" message), and invalid numbers, with GOV.UK Notify's messages.

ARCEP reserves numbers for fiction (mobiles 06 39 98 00 00 to
06 39 98 99 99); ``phonenumbers`` calls them invalid, as it does Ofcom's
drama numbers (07700 900000 to 900999) that Notify's simulated numbers
use, so both ranges are accepted as mobiles here.
"""

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType
from phonenumbers import ValidationResult as Possible

from .errors import InternationalNumberNotAllowedError, InvalidPhoneNumberError, Problem

DEFAULT_REGION = "FR"
# Country codes of France: metropolitan France, La Réunion and Mayotte,
# Saint-Pierre-et-Miquelon, Guadeloupe with Saint-Barthélemy and
# Saint-Martin, Guyane, Martinique, Wallis-et-Futuna, Nouvelle-Calédonie,
# Polynésie française.
FRENCH_COUNTRY_CODES = frozenset({33, 262, 508, 590, 594, 596, 681, 687, 689})
# Overseas departments numbered like metropolitan France (0 + 9 digits);
# a number written that way that is not metropolitan is tried in these.
_OVERSEAS_NATIONAL_REGIONS = ("RE", "YT", "GP", "MQ", "GF")

_ALLOWED = re.compile(r"[0-9\s().+\-\u00a0\u202f]*")
_FICTION_MOBILE = re.compile(r"63998\d{4}")
_DRAMA_MOBILE = re.compile(r"7700900\d{3}")

_MOBILE_TYPES = frozenset(
    {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
_LANDLINE_TYPES = frozenset(
    {
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.VOIP,
        PhoneNumberType.UAN,
        PhoneNumberType.PERSONAL_NUMBER,
        PhoneNumberType.VOICEMAIL,
        PhoneNumberType.PAGER,
    }
)
_SPECIAL_TYPES = frozenset(
    {
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.SHARED_COST,
    }
)
_TYPE_NAMES = {
    value: name.lower()
    for name, value in vars(PhoneNumberType).items()
    if name.isupper() and isinstance(value, int)
}
_PARSE_PROBLEMS = {
    NumberParseException.INVALID_COUNTRY_CODE: Problem.UNSUPPORTED_COUNTRY_CODE,
    NumberParseException.TOO_SHORT_NSN: Problem.TOO_SHORT,
    NumberParseException.TOO_SHORT_AFTER_IDD: Problem.TOO_SHORT,
    NumberParseException.TOO_LONG: Problem.TOO_LONG,
}
_POSSIBLE_PROBLEMS = {
    Possible.TOO_LONG: Problem.TOO_LONG,
    Possible.TOO_SHORT: Problem.TOO_SHORT,
    Possible.IS_POSSIBLE_LOCAL_ONLY: Problem.TOO_SHORT,
    Possible.INVALID_COUNTRY_CODE: Problem.UNSUPPORTED_COUNTRY_CODE,
}


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A valid phone number. ``e164`` is ``+33612345678``; ``international``
    is true outside France (overseas France included in France);
    ``number_type`` is libphonenumber's type in lower case (``mobile``)."""

    e164: str
    country_code: int
    national_number: str
    region: str
    number_type: str

    @property
    def international(self) -> bool:
        return self.country_code not in FRENCH_COUNTRY_CODES

    @property
    def normalised(self) -> str:
        """E.164 without its ``+`` (Notify's normalised form)."""
        return self.e164[1:]

    @property
    def formatted(self) -> str:
        """For people: ``06 12 34 56 78`` in France, ``+44 7700 900123``
        elsewhere."""
        number = phonenumbers.PhoneNumber(
            country_code=self.country_code, national_number=int(self.national_number)
        )
        style = phonenumbers.PhoneNumberFormat.INTERNATIONAL
        if self.country_code == 33:
            style = phonenumbers.PhoneNumberFormat.NATIONAL
        return phonenumbers.format_number(number, style)


def _parse(text: str, region: str | None = DEFAULT_REGION):
    """The parsed number, or the ``Problem`` that stopped the parse."""
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException as error:
        return _PARSE_PROBLEMS.get(error.error_type, Problem.INVALID_NUMBER)


def _is_reserved(number) -> bool:
    national = str(number.national_number)
    if number.country_code == 33:
        return bool(_FICTION_MOBILE.fullmatch(national))
    return number.country_code == 44 and bool(_DRAMA_MOBILE.fullmatch(national))


def _overseas(number):
    """A number parsed as metropolitan that is one of the overseas
    departments' (``0692…`` or a mistaken ``+33 692…``)."""
    national = f"0{number.national_number}"
    for region in _OVERSEAS_NATIONAL_REGIONS:
        candidate = _parse(national, region)
        if not isinstance(candidate, Problem) and phonenumbers.is_valid_number(
            candidate
        ):
            return candidate
    return None


def _resolve(number):
    """The valid number meant, or the ``Problem`` with it."""
    if _is_reserved(number) or phonenumbers.is_valid_number(number):
        return number
    if number.country_code == 33:
        overseas = _overseas(number)
        if overseas is not None:
            return overseas
    possible = phonenumbers.is_possible_number_with_reason(number)
    return _POSSIBLE_PROBLEMS.get(possible, Problem.INVALID_NUMBER)


def _attempts(cleaned: str) -> list[str]:
    """Ways to read the input, best first: as written (French national
    form by default), as an international number that lost its ``+``,
    and, as Notify does for ``+0612…`` or ``00006…``, without its ``+``
    and leading zeros, in national form."""
    attempts = [cleaned]
    if not cleaned.startswith("+"):
        attempts.append(f"+{cleaned}")
    bare = cleaned.lstrip("+").lstrip("0")
    if bare:
        attempts.append(f"0{bare}")
    return attempts


def _find_number(cleaned: str):
    first_problem = None
    for attempt in _attempts(cleaned):
        number = _parse(attempt)
        if not isinstance(number, Problem):
            number = _resolve(number)
        if not isinstance(number, Problem):
            return number
        first_problem = first_problem or number
    return first_problem


def _check_type(number, *, allow_landline: bool) -> str:
    if _is_reserved(number):
        return "mobile"
    number_type = phonenumbers.number_type(number)
    if number_type in _SPECIAL_TYPES:
        raise InvalidPhoneNumberError(Problem.PREMIUM_RATE)
    if number_type in _MOBILE_TYPES:
        return _TYPE_NAMES[number_type]
    if number_type in _LANDLINE_TYPES:
        if allow_landline:
            return _TYPE_NAMES[number_type]
        raise InvalidPhoneNumberError(Problem.NOT_A_MOBILE)
    raise InvalidPhoneNumberError(Problem.INVALID_NUMBER)


def validate_phone_number(
    value: str, *, allow_international: bool = True, allow_landline: bool = False
) -> PhoneNumber:
    """Check that ``value`` can receive text messages and normalise it.

    Raise ``InvalidPhoneNumberError`` (its ``message`` is Notify's text),
    or ``InternationalNumberNotAllowedError`` for a valid number abroad
    when ``allow_international`` is false.
    """
    if not isinstance(value, str) or not _ALLOWED.fullmatch(value):
        raise InvalidPhoneNumberError(Problem.UNKNOWN_CHARACTER)
    digits = "".join(character for character in value if character.isdigit())
    if not digits:
        raise InvalidPhoneNumberError(Problem.TOO_SHORT)
    plus = "+" if value.lstrip(" \t\n\u00a0\u202f(").startswith("+") else ""

    number = _find_number(plus + digits)
    if isinstance(number, Problem):
        raise InvalidPhoneNumberError(number)
    number_type = _check_type(number, allow_landline=allow_landline)
    if not allow_international and number.country_code not in FRENCH_COUNTRY_CODES:
        raise InternationalNumberNotAllowedError()

    return PhoneNumber(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        country_code=number.country_code,
        national_number=str(number.national_number),
        region=phonenumbers.region_code_for_number(number)
        or phonenumbers.region_code_for_country_code(number.country_code),
        number_type=number_type,
    )
