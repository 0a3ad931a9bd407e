"""Properties of recipient validation: it only ever raises
``InvalidRecipientError``, and normalising twice changes nothing. The
idempotency strategies build mostly valid recipients; Hypothesis's filter
health check fails a test that would discard most of them."""

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from notifications import recipients

FAST = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
EXHAUSTIVE = settings(
    max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

separators = st.sampled_from(["", " ", ".", "-", "\u00a0"])
# Starts of numbers that are valid once completed with the right number of
# digits, in the forms people write them.
phone_shapes = st.sampled_from(
    [
        ("06", 8), ("07 5", 7), ("+33 6", 8), ("0033 7 6", 7), ("33 6", 8),
        ("6", 8), ("+33 (0)6", 8), ("0692", 6), ("0639 01", 4), ("0690", 6),
        ("0696", 6), ("0694", 6), ("+262 692", 6), ("+687 7", 5),
        ("+44 7700 900", 3), ("+44 7911", 6), ("+1 202 555", 4),
        ("+32 470", 6), ("0049 151", 8), ("01", 8), ("09", 8),
        ("06 39 98", 4),
    ]
)  # fmt: skip


@st.composite
def phone_like(draw):
    start, length = draw(phone_shapes)
    digits = draw(st.text("0123456789", min_size=length, max_size=length))
    separator = draw(separators)
    groups = [digits[i : i + 2] for i in range(0, len(digits), 2)]
    return separator.join([start, *groups])


phone_inputs = phone_like()


def _phone(value):
    try:
        return recipients.validate_phone_number(value, allow_landline=True)
    except recipients.InvalidRecipientError:
        return None


def check_phone_normalisation_is_idempotent(value):
    number = _phone(value)
    assume(number is not None)
    again = recipients.validate_phone_number(number.e164, allow_landline=True)
    assert again == number
    assert recipients.validate_phone_number(
        number.formatted, allow_landline=True
    ).e164 == (number.e164)


@FAST
@given(phone_inputs)
def test_phone_normalisation_is_idempotent(value):
    check_phone_normalisation_is_idempotent(value)


@pytest.mark.slow
@EXHAUSTIVE
@given(phone_inputs)
def test_phone_normalisation_is_idempotent_exhaustive(value):
    check_phone_normalisation_is_idempotent(value)


local_parts = st.text("abcXYZ019.!#$%&'*+/=?^_`{|}~-", min_size=1, max_size=20)
labels = st.text("abcdez019-éüßÉ例テ", min_size=1, max_size=12)
top_levels = st.sampled_from(["fr", "FR", "com", "gouv.fr", "xn--zckzah", "テスト"])
padding = st.sampled_from(["", " ", "\u200b", "\n", "\u00a0"])


@st.composite
def email_like(draw):
    host = ".".join(draw(st.lists(labels, min_size=1, max_size=3)))
    address = f"{draw(local_parts)}@{host}.{draw(top_levels)}"
    return draw(padding) + address + draw(padding)


email_inputs = email_like()


def _email(value):
    try:
        return recipients.validate_email_address(value)
    except recipients.InvalidRecipientError:
        return None


def check_email_normalisation_is_idempotent(value):
    normalised = _email(value)
    # Most generated addresses are valid; Hypothesis fails the test if it
    # has to discard too many, so the property is never checked on nothing.
    assume(normalised is not None)
    assert recipients.validate_email_address(normalised) == normalised
    assert normalised == normalised.lower()


@FAST
@given(email_inputs)
def test_email_normalisation_is_idempotent(value):
    check_email_normalisation_is_idempotent(value)


@pytest.mark.slow
@EXHAUSTIVE
@given(email_inputs)
def test_email_normalisation_is_idempotent_exhaustive(value):
    check_email_normalisation_is_idempotent(value)


@FAST
@given(st.text(max_size=30))
def test_phone_validation_raises_only_invalid_recipient(value):
    _phone(value)


@FAST
@given(st.text(max_size=40))
def test_email_validation_raises_only_invalid_recipient(value):
    _email(value)
