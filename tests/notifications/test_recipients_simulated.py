"""Simulated recipients and the outcomes they document."""

import pytest

from notifications import recipients
from providers import fake

SENDER_DOMAIN = "notifications.beta.gouv.fr"


@pytest.mark.parametrize(
    "address",
    [
        "simulate-delivered@notifications.service.gov.uk",
        "simulate-delivered-2@notifications.service.gov.uk",
        "simulate-delivered-3@notifications.service.gov.uk",
        "simulate-delivered@notifications.beta.gouv.fr",
        "Simulate-Delivered-2@Notifications.Beta.Gouv.FR",
    ],
)
def test_smoke_test_email_addresses(address):
    normalised = recipients.validate_email_address(address)

    assert recipients.is_simulated_email_address(
        normalised, sender_domain=SENDER_DOMAIN
    )


@pytest.mark.parametrize(
    "address",
    [
        "simulate-delivered-4@notifications.service.gov.uk",
        "simulate-delivered@example.gouv.fr",
        "someone@notifications.beta.gouv.fr",
    ],
)
def test_other_addresses_are_not_smoke_tests(address):
    assert not recipients.is_simulated_email_address(
        address, sender_domain=SENDER_DOMAIN
    )


def test_our_domain_counts_only_when_given():
    assert not recipients.is_simulated_email_address(
        "simulate-delivered@notifications.beta.gouv.fr"
    )


@pytest.mark.parametrize(
    "written",
    [
        "+447700900000",
        "+44 7700 900111",
        "447700900222",
        "06 39 98 00 00",
        "+33 6 39 98 01 11",
        "0639980222",
    ],
)
def test_smoke_test_phone_numbers_match_after_normalisation(written):
    number = recipients.validate_phone_number(written)

    assert recipients.is_simulated_phone_number(number.e164)


def test_other_fiction_numbers_are_not_smoke_tests():
    number = recipients.validate_phone_number("06 39 98 12 34")

    assert not recipients.is_simulated_phone_number(number.e164)


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("temp-fail@simulator.notify", "temporary-failure"),
        ("perm-fail@simulator.notify", "permanent-failure"),
        ("anyone@example.gouv.fr", "delivered"),
    ],
)
def test_test_key_email_outcomes(address, status):
    assert recipients.test_key_email_outcome(address) == status


@pytest.mark.parametrize(
    ("written", "status"),
    [
        ("+44 7700 900003", "temporary-failure"),
        ("+44 7700 900002", "permanent-failure"),
        ("06 39 98 00 03", "temporary-failure"),
        ("06 39 98 00 02", "permanent-failure"),
        ("06 12 34 56 78", "delivered"),
    ],
)
def test_test_key_phone_outcomes(written, status):
    number = recipients.validate_phone_number(written)

    assert recipients.test_key_phone_outcome(number.e164) == status


def test_fake_provider_gives_the_documented_outcomes():
    for address, status in recipients.simulated.TEST_EMAIL_OUTCOMES.items():
        assert fake.EMAIL_OUTCOMES[address] == status
    for ending, status in recipients.simulated.TEST_PHONE_OUTCOMES.items():
        assert fake.SMS_OUTCOMES[ending] == status
