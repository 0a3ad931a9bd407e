"""Whatever an authenticated gateway sends, the receipt parsers answer
with events or a ``ReceiptParseError`` (400), never an unexpected error
(500, which the gateway would retry for a day)."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.base import ReceiptEvent, ReceiptParseError
from providers.sms import BrevoSmsProvider, OctopushSmsProvider, SinchSmsProvider
from tests.providers.conftest import receipt_request

ADAPTERS = [BrevoSmsProvider, OctopushSmsProvider, SinchSmsProvider]
KEYS = st.sampled_from(
    [
        "status",
        "msg_status",
        "event",
        "messageId",
        "message_id",
        "batch_id",
        "client_reference",
        "type",
        "at",
        "code",
        "delivery_date",
        "ts_event",
        "ts_epoch",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(
        ["Delivered", "DELIVERED", "delivered", "recipient_delivery_report_sms"]
    )
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(KEYS | st.text(max_size=10), children, max_size=6)
    ),
    max_leaves=20,
)


def check_parses_or_refuses(adapter_class, body: str) -> None:
    try:
        events = adapter_class().parse_receipts(receipt_request(body))
    except ReceiptParseError:
        return
    assert all(isinstance(event, ReceiptEvent) for event in events)
    assert all(event.provider_reference or event.notification_id for event in events)


@pytest.mark.parametrize("adapter_class", ADAPTERS)
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=JSON)
def test_any_json_is_parsed_or_refused(adapter_class, document):
    check_parses_or_refuses(adapter_class, json.dumps(document))


@pytest.mark.parametrize("adapter_class", ADAPTERS)
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(max_size=200))
def test_any_text_is_parsed_or_refused(adapter_class, body):
    check_parses_or_refuses(adapter_class, body)


@pytest.mark.parametrize("adapter_class", ADAPTERS)
def test_deeply_nested_json_is_refused(adapter_class):
    check_parses_or_refuses(adapter_class, "[" * 100_000 + "]" * 100_000)


@pytest.mark.slow
@pytest.mark.parametrize("adapter_class", ADAPTERS)
@settings(
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(document=JSON)
def test_any_json_is_parsed_or_refused_exhaustively(adapter_class, document):
    check_parses_or_refuses(adapter_class, json.dumps(document))
