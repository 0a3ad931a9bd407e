"""The batching publisher: ids queued after commit leave as one message per
task and queue; in-process tasks and ``synchronously()`` publish at once."""

import os
import threading
import uuid

import pytest
from celery import current_app

from deliveries import publisher as publisher_module
from deliveries import tasks
from deliveries.publisher import Publisher
from providers import fake

pytestmark = pytest.mark.django_db


class Recorder:
    """A ``send`` that keeps what it was given (and can refuse it)."""

    def __init__(self, accept: bool = True) -> None:
        self.accept = accept
        self.messages = []
        self.sent = threading.Event()

    def __call__(self, task_name, queue, ids) -> bool:
        self.messages.append((task_name, queue, list(ids)))
        self.sent.set()
        return self.accept


@pytest.fixture
def broker_mode(settings):
    """Tasks published to a broker rather than run in-process."""
    previous = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    yield
    current_app.conf.task_always_eager = previous


@pytest.fixture
def recorder(broker_mode, settings):
    settings.DELIVERY_BATCH_SIZE = 3
    # Long enough that only ``flush`` or a full batch sends.
    settings.DELIVERY_PUBLISH_INTERVAL_MS = 60_000
    return Recorder()


def test_queued_ids_leave_as_one_message_per_task_and_queue(recorder):
    publisher = Publisher(recorder)
    email_ids = [uuid.uuid4(), uuid.uuid4()]
    sms_id = uuid.uuid4()

    for item_id in email_ids:
        publisher.add(task_name="t.batch", queue="send-email", item_id=item_id)
    publisher.add(task_name="t.batch", queue="send-sms", item_id=sms_id)
    assert recorder.messages == []
    assert publisher.flush() == 3

    assert sorted(recorder.messages) == [
        ("t.batch", "send-email", [str(item_id) for item_id in email_ids]),
        ("t.batch", "send-sms", [str(sms_id)]),
    ]
    assert publisher.pending() == 0


def test_a_full_batch_is_flushed_by_the_background_thread(recorder):
    publisher = Publisher(recorder)
    ids = [str(uuid.uuid4()) for _ in range(3)]

    for item_id in ids:
        publisher.add(task_name="t.batch", queue="send-email", item_id=item_id)

    assert recorder.sent.wait(timeout=10)
    assert recorder.messages == [("t.batch", "send-email", ids)]


def test_the_oldest_id_waits_at_most_the_interval(recorder, settings):
    settings.DELIVERY_PUBLISH_INTERVAL_MS = 1
    publisher = Publisher(recorder)
    first, second = uuid.uuid4(), uuid.uuid4()

    publisher.add(task_name="t.batch", queue="send-email", item_id=first)
    assert recorder.sent.wait(timeout=10)
    # Again once the thread has flushed and gone back to sleep.
    recorder.sent.clear()
    publisher.add(task_name="t.batch", queue="send-email", item_id=second)
    assert recorder.sent.wait(timeout=10)

    assert recorder.messages == [
        ("t.batch", "send-email", [str(first)]),
        ("t.batch", "send-email", [str(second)]),
    ]


def test_flush_splits_into_batches_of_the_configured_size(recorder):
    publisher = Publisher(recorder)
    ids = [str(uuid.uuid4()) for _ in range(7)]
    with publisher._condition:
        publisher._buffers[("t.batch", "send-email")] = list(ids)

    publisher.flush()

    assert [message[2] for message in recorder.messages] == [
        ids[0:3],
        ids[3:6],
        ids[6:7],
    ]


def test_a_refused_flush_is_counted_not_raised(broker_mode, settings):
    settings.DELIVERY_PUBLISH_INTERVAL_MS = 60_000
    refusing = Recorder(accept=False)
    publisher = Publisher(refusing)
    publisher.add(task_name="t.batch", queue="send-email", item_id=uuid.uuid4())

    assert publisher.flush() == 0
    assert publisher.pending() == 0


def test_broker_failure_is_logged_never_raised(broker_mode, monkeypatch, caplog):
    def broker_down(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(tasks.deliver_notifications, "apply_async", broker_down)
    monkeypatch.setattr(current_app, "send_task", broker_down)
    ids = [str(uuid.uuid4())]
    name = tasks.deliver_notifications.name

    assert publisher_module._send_now(name, "send-email", ids) is False
    assert publisher_module._send(name, "send-email", ids) is False
    assert "the relay and sweeps will" in caplog.text


def test_after_a_broker_failure_retries_are_left_to_the_relay_for_a_while(
    broker_mode, monkeypatch, settings, caplog
):
    settings.DELIVERY_PUBLISH_PAUSE_SECONDS = 30
    calls = []

    def broker_hangs(*args, **kwargs):
        calls.append(kwargs)
        raise TimeoutError("Timeout reading from socket")

    monkeypatch.setattr(tasks.deliver_notification, "apply_async", broker_hangs)
    monkeypatch.setattr(tasks.process_delivery_receipt, "apply_async", broker_hangs)
    ids = [uuid.uuid4() for _ in range(5)]

    published = [
        tasks.publish_delivery(notification_id=key, channel="sms", countdown=5)
        for key in ids
    ]
    receipt_published = tasks.publish_receipt(receipt_id=uuid.uuid4(), countdown=5)

    # One wait on the broker, not one per failed send of the batch.
    assert published == [False] * 5
    assert receipt_published is False
    assert len(calls) == 1
    assert "left to the relay" in caplog.text

    monkeypatch.setattr(tasks, "_paused_until", 0.0)
    tasks.publish_delivery(notification_id=ids[0], channel="sms", countdown=5)
    assert len(calls) == 2


def test_synchronously_publishes_in_the_caller_thread(recorder):
    publisher = Publisher(recorder)
    item_id = uuid.uuid4()

    with publisher.synchronously():
        publisher.add(task_name="t.batch", queue="send-email", item_id=item_id)
        assert recorder.messages == [("t.batch", "send-email", [str(item_id)])]

    assert publisher._thread is None


def test_in_process_tasks_deliver_at_once(new_notification):
    # The embedded default and the test settings run tasks in-process.
    assert current_app.conf.task_always_eager
    notification = new_notification("email")

    tasks.queue_delivery(notification_id=notification.id, channel="email")

    notification.refresh_from_db()
    assert notification.status == "delivered"
    assert fake.sent_count(notification.id) == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_starts_with_an_empty_buffer(recorder):
    publisher = Publisher(recorder)
    publisher.add(task_name="t.batch", queue="send-email", item_id=uuid.uuid4())

    pid = os.fork()
    if pid == 0:  # the child: report through the exit code only
        os._exit(0 if publisher.pending() == 0 and publisher._thread is None else 1)
    _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert publisher.pending() == 1
