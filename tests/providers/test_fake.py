"""The fake providers: documented outcomes, receipts through the sink, a
send counter shared across processes and a fault switch, both in real
Redis."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from providers import fake
from providers.base import (
    OutgoingEmail,
    OutgoingSms,
    ProviderPermanentError,
    ProviderTemporaryError,
)
from providers.fake import (
    FakeEmailProvider,
    FakeEmailProvider2,
    FakeSmsProvider,
    FakeSmsProvider2,
)
from tests.providers import sinks

ROOT = Path(__file__).resolve().parents[2]


def sms(notification_id=None, to="+33612345678"):
    return OutgoingSms(
        notification_id=notification_id or uuid.uuid4(),
        to=to,
        body="Code 1",
        sender="S",
    )


def email(notification_id=None, to="camille@example.org"):
    return OutgoingEmail(
        notification_id=notification_id or uuid.uuid4(),
        to=to,
        subject="Objet",
        html_body="<p>Corps</p>",
        text_body="Corps",
        from_email="Service <service@notifications.example>",
    )


@pytest.fixture(params=["redis", "in-process"])
def storage(request, settings):
    """Run a test with the Redis counter and without it (the embedded
    default)."""
    if request.param == "in-process":
        settings.FAKE_PROVIDER_REDIS_URL = ""
    else:
        assert settings.FAKE_PROVIDER_REDIS_URL.startswith("redis://")
    fake.reset()
    return request.param


@pytest.mark.parametrize(
    ("to", "status"),
    [
        ("camille@example.org", "delivered"),
        ("temp-fail@simulator.notify", "temporary-failure"),
        ("Perm-Fail@simulator.notify", "permanent-failure"),
    ],
)
def test_email_outcomes_arrive_as_receipts(to, status):
    message = email(to=to)

    result = FakeEmailProvider().send_email(message)

    [event] = sinks.collected
    assert (event.provider, event.status) == ("fake-email", status)
    assert event.provider_reference == result.provider_reference
    assert event.notification_id == message.notification_id
    assert fake.outbox.for_notification(message.notification_id)[0].message == message


@pytest.mark.parametrize(
    ("to", "error"),
    [
        ("provider-error@simulator.notify", ProviderTemporaryError),
        ("provider-reject@simulator.notify", ProviderPermanentError),
    ],
)
def test_email_send_errors_send_nothing(to, error):
    with pytest.raises(error):
        FakeEmailProvider().send_email(email(to=to))

    assert sinks.collected == []
    assert fake.sent_total() == 0


@pytest.mark.parametrize(
    ("to", "status"),
    [
        ("+447700900003", "temporary-failure"),
        ("+447700900002", "permanent-failure"),
        ("+61639980003", "temporary-failure"),
        ("+33612345678", "delivered"),
    ],
)
def test_sms_outcomes_arrive_as_receipts(to, status):
    FakeSmsProvider().send_sms(sms(to=to))

    assert [event.status for event in sinks.collected] == [status]


def test_second_fakes_have_their_own_names():
    assert FakeEmailProvider2().send_email(email()).provider == "fake-email-2"
    assert FakeSmsProvider2().send_sms(sms()).provider == "fake-sms-2"


def test_sends_are_counted_per_notification_and_provider(storage):
    notification_id = uuid.uuid4()

    FakeSmsProvider().send_sms(sms(notification_id))
    FakeSmsProvider2().send_sms(sms(notification_id))
    FakeSmsProvider().send_sms(sms())

    assert fake.sent_count(notification_id) == 2
    assert fake.sent_count(notification_id, provider="fake-sms-2") == 1
    assert fake.sent_total() == 3
    assert [line["provider"] for line in fake.sent_log()] == [
        "fake-sms",
        "fake-sms-2",
        "fake-sms",
    ]


def test_reset_forgets_everything(storage):
    FakeSmsProvider().send_sms(sms())
    fake.set_behaviour("fake-sms", "down")

    fake.reset()

    assert fake.sent_total() == 0
    assert fake.sent_log() == []
    FakeSmsProvider().send_sms(sms())  # no longer down


@pytest.mark.parametrize(
    ("behaviour", "error", "ambiguous", "counted"),
    [
        ("http-500", ProviderTemporaryError, False, 0),
        ("http-429", ProviderTemporaryError, False, 0),
        ("timeout", ProviderTemporaryError, True, 0),
        ("timeout-after-send", ProviderTemporaryError, True, 1),
        ("down", ProviderTemporaryError, False, 0),
    ],
)
def test_fault_switch_temporary_behaviours(
    storage, behaviour, error, ambiguous, counted
):
    notification_id = uuid.uuid4()
    fake.set_behaviour("fake-sms", behaviour)

    with pytest.raises(error) as caught:
        FakeSmsProvider().send_sms(sms(notification_id))

    assert caught.value.ambiguous is ambiguous
    assert fake.sent_count(notification_id) == counted
    assert len(sinks.collected) == counted


def test_throttling_behaviour_says_when_to_retry(storage):
    fake.set_behaviour("fake-email", "http-429")

    with pytest.raises(ProviderTemporaryError) as caught:
        FakeEmailProvider().send_email(email())

    assert caught.value.retry_after == 1


def test_reject_behaviour_is_a_provider_fault(storage):
    fake.set_behaviour("fake-email", "reject")

    with pytest.raises(ProviderPermanentError) as caught:
        FakeEmailProvider().send_email(email())

    assert caught.value.status == "technical-failure"
    assert caught.value.provider_fault is True


def test_behaviour_with_a_count_then_recovers(storage):
    fake.set_behaviour("fake-sms", "http-500", count=2)
    outcomes = []
    for _ in range(4):
        try:
            FakeSmsProvider().send_sms(sms())
            outcomes.append("ok")
        except ProviderTemporaryError:
            outcomes.append("error")

    assert outcomes == ["error", "error", "ok", "ok"]


def test_behaviour_applies_to_one_provider_only(storage):
    fake.set_behaviour("fake-sms", "down")

    FakeSmsProvider2().send_sms(sms())

    assert fake.sent_total() == 1


def test_ok_switches_a_behaviour_off(storage):
    fake.set_behaviour("fake-sms", "down")
    fake.set_behaviour("fake-sms", "ok")

    FakeSmsProvider().send_sms(sms())

    assert fake.sent_total() == 1


def test_unknown_behaviour_is_refused():
    with pytest.raises(ValueError, match="Unknown behaviour"):
        fake.set_behaviour("fake-sms", "explode")


def test_deduplication_returns_the_first_reference(storage):
    notification_id = uuid.uuid4()
    fake.set_deduplication(True)

    first = FakeSmsProvider().send_sms(sms(notification_id))
    again = FakeSmsProvider().send_sms(sms(notification_id))
    other_provider = FakeSmsProvider2().send_sms(sms(notification_id))

    assert again.provider_reference == first.provider_reference
    assert other_provider.provider_reference != first.provider_reference
    assert fake.sent_count(notification_id, provider="fake-sms") == 1


def test_latency_comes_from_settings(settings, monkeypatch):
    slept = []
    monkeypatch.setattr(fake.time, "sleep", slept.append)
    settings.FAKE_PROVIDER_LATENCY_MS = 250

    FakeSmsProvider().send_sms(sms())

    assert slept == [0.25]


def _send_in_another_process(*notification_ids) -> list[str]:
    """Send SMS through the fake in a separate Python process, as a Celery
    worker would; return what each send ended with."""
    script = (
        "import sys, uuid, django\n"
        "django.setup()\n"
        "from providers.base import OutgoingSms, ProviderTemporaryError\n"
        "from providers.fake import FakeSmsProvider\n"
        "for value in sys.argv[1:]:\n"
        "    sms = OutgoingSms(uuid.UUID(value), '+33612345678', 'Code', 'S')\n"
        "    try:\n"
        "        FakeSmsProvider().send_sms(sms)\n"
        "        print('sent')\n"
        "    except ProviderTemporaryError:\n"
        "        print('temporary-error')\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PROVIDER_RECEIPT_SINK": "",
    }
    completed = subprocess.run(
        [sys.executable, "-c", script, *map(str, notification_ids)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return completed.stdout.split()


def test_another_process_sees_the_fault_switch_and_is_counted_here():
    failing, passing = uuid.uuid4(), uuid.uuid4()
    fake.set_behaviour("fake-sms", "http-500", count=1)

    outcomes = _send_in_another_process(failing, passing)

    assert outcomes == ["temporary-error", "sent"]
    assert fake.sent_count(failing) == 0
    assert fake.sent_count(passing) == 1
    assert fake.sent_total() == 1


def test_receipts_follow_in_batches_when_asked(settings):
    settings.FAKE_PROVIDER_RECEIPT_BATCH_MS = 60_000
    sinks.collected.clear()
    provider = FakeSmsProvider()

    sent = [provider.send_sms(sms()) for _ in range(3)]
    assert sinks.collected == []
    fake._receipts.flush()

    references = [event.provider_reference for event in sinks.collected]
    assert references == [result.provider_reference for result in sent]


def test_batched_receipts_are_handed_again_when_refused(settings):
    settings.FAKE_PROVIDER_RECEIPT_BATCH_MS = 60_000
    settings.PROVIDER_RECEIPT_SINK = "tests.providers.sinks.fail"
    FakeSmsProvider().send_sms(sms())

    fake._receipts.flush()
    assert fake._receipts.pending() == 1

    settings.PROVIDER_RECEIPT_SINK = "tests.providers.sinks.collect"
    sinks.collected.clear()
    fake._receipts.flush()
    assert len(sinks.collected) == 1


def test_outbox_keeps_only_the_latest_messages(settings):
    settings.FAKE_PROVIDER_OUTBOX_SIZE = 3
    sent = [uuid.uuid4() for _ in range(5)]

    for notification_id in sent:
        FakeSmsProvider().send_sms(sms(notification_id))

    assert [entry.notification_id for entry in fake.outbox] == sent[2:]
    assert fake.sent_total() == 5
