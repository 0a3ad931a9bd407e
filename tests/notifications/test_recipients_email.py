"""Email addresses by Notify's rules, with internationalised domains."""

import pytest

from notifications import recipients

VALID = [
    ("email@domain.com", "email@domain.com"),
    ("Email@Domain.COM", "email@domain.com"),
    ("firstname.lastname@domain.com", "firstname.lastname@domain.com"),
    ("firstname.o'lastname@domain.com", "firstname.o'lastname@domain.com"),
    ("email@subdomain.domain.com", "email@subdomain.domain.com"),
    ("firstname+lastname@domain.com", "firstname+lastname@domain.com"),
    ("1234567890@domain.com", "1234567890@domain.com"),
    ("email@domain-one.com", "email@domain-one.com"),
    ("_______@domain.com", "_______@domain.com"),
    ("email@domain.superlongtld", "email@domain.superlongtld"),
    ("email@domain.co.jp", "email@domain.co.jp"),
    ("email@double--hyphen.com", "email@double--hyphen.com"),
    ("agent@mairie-évry.fr", "agent@mairie-évry.fr"),
    ("Agent@MAIRIE-ÉVRY.FR", "agent@mairie-évry.fr"),
    ("agent@xn--mairie-vry-h7a.fr", "agent@mairie-évry.fr"),
    ("info@german-financial-services.vermögensberatung", None),
    ("japanese-info@例え.テスト", "japanese-info@例え.テスト"),
    ("  padded@domain.com\u200b\n", "padded@domain.com"),
    ("\u00a0nbsp@domain.com\u00a0", "nbsp@domain.com"),
]

INVALID = [
    "",
    "plainaddress",
    "@no-local-part.com",
    "Contact <contact@domain.com>",
    "no-at.domain.com",
    "no-tld@domain",
    ";beginning-semicolon@domain.co.uk",
    "middle-semicolon@domain.co;uk",
    "trailing-semicolon@domain.com;",
    '"quoted-local-part"@domain.com',
    "lots-of-dots@domain..gouv..fr",
    "two-dots..in-local@domain.com",
    "multiple@domains@domain.com",
    "spaces in local@domain.com",
    "spaces-in-domain@dom ain.com",
    "underscores-in-domain@dom_ain.com",
    "pipe-in-domain@example.com|gouv.fr",
    "comma,in-local@gouv.fr",
    "comma-in-domain@domain,gouv.fr",
    "pound-sign-in-local£@domain.com",
    "local-with-’-apostrophe@domain.com",
    "accent-in-local-é@domain.com",
    "domain-starts-with-a-dot@.domain.com",
    "brackets(in)local@domain.com",
    "email@123.123.123.123",
    "email@[123.123.123.123]",
    "hyphen-start@-domain.com",
    "hyphen-end@domain-.com",
    "numeric-tld@domain.123",
    "one-letter-tld@domain.c",
    "trailing-dot@domain.com.",
    "incorrect-punycode@xn---something.com",
    "bad-punycode@xn--zz.com",
    "email-too-long-" + "a" * 320 + "@example.com",
    "label-too-long@" + "a" * 64 + ".com",
    "host-too-long@" + ".".join(["a" * 60] * 5) + ".com",
]


@pytest.mark.parametrize(("written", "normalised"), VALID)
def test_valid_addresses_are_normalised(written, normalised):
    assert recipients.validate_email_address(written) == (
        normalised or written.strip().lower()
    )


@pytest.mark.parametrize("written", INVALID)
def test_invalid_addresses_are_refused_with_notify_message(written):
    with pytest.raises(recipients.InvalidEmailAddressError) as raised:
        recipients.validate_email_address(written)

    assert str(raised.value) == "Not a valid email address"
    assert raised.value.french_message.startswith("L’adresse électronique")


@pytest.mark.parametrize("value", [None, 42, ["a@b.fr"]])
def test_non_text_value_is_refused(value):
    with pytest.raises(recipients.InvalidRecipientError):
        recipients.validate_email_address(value)
