"""Celery workers' database statements are bounded; web processes' are not."""

import threading

import pytest
from celery.signals import worker_init, worker_process_init
from django.db import OperationalError, connection, connections

from config import database


def in_new_thread(function):
    """Run ``function`` on a new thread, hence on a new database connection
    (Django's are per thread), as a worker thread would; return what it
    returned or raise what it raised."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function()
        except Exception as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def query(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


@pytest.fixture
def worker_process(db, settings):
    """This process, once Celery's worker start-up has run."""
    settings.WORKER_STATEMENT_TIMEOUT_SECONDS = 0.2
    database.bound_worker_statements()
    yield
    database.unbound_worker_statements()


def test_worker_statement_longer_than_the_limit_is_cancelled(worker_process):
    assert in_new_thread(lambda: query("SHOW statement_timeout")) == "200ms"

    with pytest.raises(OperationalError, match="statement timeout"):
        in_new_thread(lambda: query("SELECT pg_sleep(2)"))

    # A statement within the limit is left alone.
    assert in_new_thread(lambda: query("SELECT 1 FROM pg_sleep(0.05)")) == 1


def test_web_process_statements_keep_the_server_default(db):
    assert in_new_thread(lambda: query("SHOW statement_timeout")) == "0"


def test_zero_turns_the_limit_off(worker_process, settings):
    settings.WORKER_STATEMENT_TIMEOUT_SECONDS = 0

    assert in_new_thread(lambda: query("SHOW statement_timeout")) == "0"


def test_the_limit_is_set_when_a_worker_or_its_child_starts():
    import config.celery  # noqa: F401  (connects the signal receivers)

    for signal in (worker_init, worker_process_init):
        receivers = [ref() for _, ref in signal.receivers]
        assert any(
            getattr(receiver, "__name__", "") == "_bound_database_statements"
            for receiver in receivers
        )
