"""Bounded database statements in Celery workers.

The threads pool, our default, ignores Celery's task time limits, so a
statement that hangs (waiting for a lock another session holds, or a plan
gone wrong) would hold its worker thread, and the batch it claimed, for
ever. A worker sets PostgreSQL's ``statement_timeout`` on every
connection it opens (``WORKER_STATEMENT_TIMEOUT_SECONDS``; 0 turns it
off): the server cancels such a statement, which raises
``OperationalError``, what the delivery tasks already handle as a database
gone away (before the provider call: the task tries again; after it: the
answer is recorded again, then handed to a task). Web processes keep the
server's default. Provider calls are bounded by their own HTTP time-outs
(``SMS_PROVIDER_*TIMEOUT_SECONDS``, anymail's ``REQUESTS_TIMEOUT``).

A connection that the network drops without a word is not covered: the
server cancels nothing it does not run.
"""

from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created

DISPATCH_UID = "config.database.worker_statement_timeout"


def bound_worker_statements() -> None:
    """Give every database connection this process opens from now on the
    workers' statement time-out, and close those already open so that
    they reopen with it. Called when a Celery worker starts."""
    connection_created.connect(_set_statement_timeout, dispatch_uid=DISPATCH_UID)
    for connection in connections.all(initialized_only=True):
        connection.close()


def unbound_worker_statements() -> None:
    """Undo ``bound_worker_statements`` for connections opened from now on
    (tests)."""
    connection_created.disconnect(dispatch_uid=DISPATCH_UID)


def _set_statement_timeout(sender, connection, **kwargs) -> None:
    timeout = float(getattr(settings, "WORKER_STATEMENT_TIMEOUT_SECONDS", 0))
    if timeout <= 0 or connection.vendor != "postgresql":
        return
    milliseconds = max(1, round(timeout * 1000))
    with connection.cursor() as cursor:
        # set_config takes parameters, which SET does not.
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, false)",
            [f"{milliseconds}ms"],
        )
