"""Phone numbers: French forms, overseas France, international numbers,
refusals with Notify's messages and their French equivalents."""

import pytest

from notifications import recipients
from notifications.recipients import Problem


@pytest.mark.parametrize(
    "written",
    [
        "0612345678",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "(06) 12 34 56 78",
        " 06 12 34 56 78 ",
        "06\u00a012\u00a034\u00a056\u00a078",
        "+33612345678",
        "+33 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        "+330612345678",
        "0033 6 12 34 56 78",
        "0033612345678",
        "33612345678",
        "612345678",
        "+0612345678",
    ],
)
def test_french_mobile_in_every_usual_form(written):
    number = recipients.validate_phone_number(written)

    assert number.e164 == "+33612345678"
    assert (number.country_code, number.region, number.international) == (
        33,
        "FR",
        False,
    )
    assert number.number_type == "mobile"
    assert number.normalised == "33612345678"
    assert number.formatted == "06 12 34 56 78"


def test_french_mobile_starting_07():
    assert recipients.validate_phone_number("07 56 12 34 56").e164 == "+33756123456"


@pytest.mark.parametrize(
    ("written", "e164", "region"),
    [
        ("0692 12 34 56", "+262692123456", "RE"),
        ("+262 692 12 34 56", "+262692123456", "RE"),
        ("+33 692 12 34 56", "+262692123456", "RE"),
        ("0639 01 23 45", "+262639012345", "YT"),
        ("0690 00 12 34", "+590690001234", "GP"),
        ("0696 20 12 34", "+596696201234", "MQ"),
        ("0694 20 12 34", "+594694201234", "GF"),
        ("+508 55 12 34", "+508551234", "PM"),
        ("+687 75 12 34", "+687751234", "NC"),
        ("+689 87 12 34 56", "+68987123456", "PF"),
    ],
)
def test_overseas_france_is_french(written, e164, region):
    number = recipients.validate_phone_number(written, allow_international=False)

    assert (number.e164, number.region, number.international) == (e164, region, False)


@pytest.mark.parametrize(
    ("written", "e164", "region"),
    [
        ("+44 7700 900123", "+447700900123", "GB"),
        ("447700900123", "+447700900123", "GB"),
        ("+1 202 555 0123", "+12025550123", "US"),
        ("+32 470 12 34 56", "+32470123456", "BE"),
        ("0049 151 23456789", "+4915123456789", "DE"),
    ],
)
def test_international_mobile_numbers(written, e164, region):
    number = recipients.validate_phone_number(written)

    assert (number.e164, number.region, number.international) == (e164, region, True)


def test_international_number_refused_when_service_may_not_send_abroad():
    with pytest.raises(recipients.InternationalNumberNotAllowedError) as raised:
        recipients.validate_phone_number("+32 470 12 34 56", allow_international=False)

    assert str(raised.value) == "Cannot send to international mobile numbers"
    assert raised.value.french_message == (
        "Ce service n’est pas autorisé à envoyer des SMS vers l’étranger."
    )
    assert isinstance(raised.value, recipients.InvalidPhoneNumberError)


def test_invalid_international_number_is_invalid_before_being_international():
    with pytest.raises(recipients.InvalidPhoneNumberError) as raised:
        recipients.validate_phone_number("+32 1", allow_international=False)

    assert raised.value.problem is Problem.TOO_SHORT


@pytest.mark.parametrize(
    ("written", "problem", "message"),
    [
        ("", Problem.TOO_SHORT, "Not enough digits"),
        ("+", Problem.TOO_SHORT, "Not enough digits"),
        ("06 12 34 56", Problem.TOO_SHORT, "Not enough digits"),
        ("06 12 34 56 78 90", Problem.TOO_LONG, "Too many digits"),
        ("+33 6 12 34 56 78 9", Problem.TOO_LONG, "Too many digits"),
        (
            "06 12 34 56 7a",
            Problem.UNKNOWN_CHARACTER,
            "Must not contain letters or symbols",
        ),
        (
            "06/12/34/56/78",
            Problem.UNKNOWN_CHARACTER,
            "Must not contain letters or symbols",
        ),
        (
            "+33 6 12 34 56 78 #",
            Problem.UNKNOWN_CHARACTER,
            "Must not contain letters or symbols",
        ),
        (
            "+999 612345678",
            Problem.UNSUPPORTED_COUNTRY_CODE,
            "Not a valid country prefix",
        ),
        (
            "07 12 34 56 78",
            Problem.INVALID_NUMBER,
            "Number is not valid – double check the phone number you entered",
        ),
        ("01 23 45 67 89", Problem.NOT_A_MOBILE, "Not a mobile number"),
        ("05 36 49 12 34", Problem.NOT_A_MOBILE, "Not a mobile number"),
        ("09 12 34 56 78", Problem.NOT_A_MOBILE, "Not a mobile number"),
        ("+44 20 7946 0000", Problem.NOT_A_MOBILE, "Not a mobile number"),
        (
            "08 99 12 34 56",
            Problem.PREMIUM_RATE,
            "Number is not valid – double check the phone number you entered",
        ),
        (
            "0800 12 34 56",
            Problem.PREMIUM_RATE,
            "Number is not valid – double check the phone number you entered",
        ),
    ],
)
def test_refused_numbers_with_notify_messages(written, problem, message):
    with pytest.raises(recipients.InvalidPhoneNumberError) as raised:
        recipients.validate_phone_number(written)

    assert raised.value.problem is problem
    assert str(raised.value) == raised.value.message == message
    assert raised.value.french_message


def test_landline_accepted_when_asked():
    number = recipients.validate_phone_number("01 23 45 67 89", allow_landline=True)

    assert (number.e164, number.number_type) == ("+33123456789", "fixed_line")


def test_premium_number_refused_even_when_landlines_are_allowed():
    with pytest.raises(recipients.InvalidPhoneNumberError) as raised:
        recipients.validate_phone_number("08 99 12 34 56", allow_landline=True)

    assert raised.value.french_message.startswith("Les numéros spéciaux")


@pytest.mark.parametrize("value", [None, 612345678, b"0612345678"])
def test_non_text_value_is_refused(value):
    with pytest.raises(recipients.InvalidPhoneNumberError):
        recipients.validate_phone_number(value)


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("06 39 98 00 00", "+33639980000"),
        ("+33 6 39 98 01 11", "+33639980111"),
        ("+44 7700 900000", "+447700900000"),
        ("447700900222", "+447700900222"),
    ],
)
def test_numbers_reserved_for_fiction_are_valid_mobiles(written, e164):
    number = recipients.validate_phone_number(written)

    assert (number.e164, number.number_type) == (e164, "mobile")


def test_french_messages_for_the_back_office():
    with pytest.raises(recipients.InvalidPhoneNumberError) as raised:
        recipients.validate_phone_number("01 23 45 67 89")

    assert raised.value.french_message == (
        "Ce numéro n’est pas un numéro de mobile : les SMS ne peuvent être envoyés "
        "qu’à des mobiles."
    )
