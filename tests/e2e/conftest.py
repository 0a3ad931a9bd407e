"""Real processes for end-to-end tests: Celery workers and Beat on Redis
and the test PostgreSQL database, and fault proxies in front of both.
Tests that use them need committed data (``transactional_db``)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from tests.e2e.faultproxy import FaultProxy

ROOT = Path(__file__).resolve().parents[2]
ALL_QUEUES = "send-email,send-sms,receipts,periodic,callbacks,jobs"

# Pipeline timings for fault-injection runs: minutes shrunk to seconds, so a
# lost task, a stale attempt or a late receipt is dealt with within a test.
FAST_PIPELINE = {
    "DELIVERY_RELAY_DELAY_SECONDS": 2,
    "DELIVERY_RELAY_REPUBLISH_SECONDS": 4,
    "DELIVERY_RELAY_INTERVAL_SECONDS": 1,
    "DELIVERY_SWEEP_INTERVAL_SECONDS": 1,
    "DELIVERY_STALE_ATTEMPT_SECONDS": 6,
    "DELIVERY_RETRY_BASE_SECONDS": 0.5,
    "DELIVERY_RETRY_MAX_DELAY_SECONDS": 2,
    "DELIVERY_COUNTDOWN_MAX_SECONDS": 5,
    "DELIVERY_AMBIGUOUS_RESEND_AFTER_SECONDS": 2,
    "DELIVERY_RECEIPT_RETRY_BASE_SECONDS": 0.5,
    "DELIVERY_RECEIPT_SWEEP_AFTER_SECONDS": 3,
    "CELERY_VISIBILITY_TIMEOUT": 20,
}


class _Process:
    """A child process in its own process group, so that ``kill()`` ends
    it and every process it started (a pool, an embedded Beat)."""

    name = "process"

    def __init__(self, command: list[str], env: dict) -> None:
        self.command = command
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log_path = ROOT / "var" / f"{self.name}-{os.getpid()}-{id(self)}.log"

    def start(self):
        self.log_path.parent.mkdir(exist_ok=True)
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        pass

    def log_text(self) -> str:
        return self.log_path.read_bytes()[self._log_offset :].decode(errors="replace")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL the whole process group, as the OOM killer or a lost
        machine would: nothing gets to clean up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


class WorkerProcess(_Process):
    """A ``celery worker`` child process."""

    name = "worker"

    def __init__(self, env: dict, queues: str, concurrency: int, pool: str) -> None:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queues,
            "--pool",
            pool,
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        super().__init__(command, env)

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early; see {self.log_path}")
            # The whole log of this start: a worker restarted with a backlog
            # writes many task lines right after its "ready." line.
            if "ready." in self.log_text():
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready after {timeout}s; see {self.log_path}")


class BeatProcess(_Process):
    """``celery beat`` with a file scheduler (the database scheduler would
    write its schedule into the test database)."""

    name = "beat"

    def __init__(self, env: dict, schedule_path: Path) -> None:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "--scheduler",
            "celery.beat:PersistentScheduler",
            "--schedule",
            str(schedule_path),
            "--loglevel",
            "INFO",
        ]
        super().__init__(command, env)


def database_url(host: str | None = None, port: int | None = None) -> str:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return (
        f"postgres://{database['USER'] or 'postgres'}{password}"
        f"@{host or database['HOST'] or '127.0.0.1'}"
        f":{port or database['PORT'] or 5432}/{database['NAME']}"
    )


def proxied_url(url: str, port: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"127.0.0.1:{port}"))


def worker_environment(**overrides) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            # The fakes count sends in the real Redis, even when the broker
            # goes through a proxy.
            "FAKE_PROVIDER_REDIS_URL": settings.REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }
    )
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def _use_broker(app, url: str) -> None:
    """Point the test process's Celery app (the API's side) at ``url``.
    Connection pools are dropped, not closed: kombu keeps them per URL and
    hands the same ones back when the URL comes back."""
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url


@pytest.fixture
def broker():
    """Publish to the real Redis broker from the test process (instead of
    running tasks eagerly), on an empty broker database."""
    from config.celery import app
    from deliveries.publisher import publisher

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    # What the test queued leaves now, not into the next test's broker.
    publisher.flush()
    app.conf.task_always_eager = previous
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture
def start_worker(broker, transactional_db):
    """Start real Celery workers; every one started is stopped afterwards."""
    started: list[WorkerProcess] = []

    def start(
        *, queues: str = ALL_QUEUES, concurrency: int = 4, pool: str = "threads", **env
    ) -> WorkerProcess:
        worker = WorkerProcess(worker_environment(**env), queues, concurrency, pool)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def start_beat(broker, transactional_db, tmp_path):
    """Start ``celery beat``; stopped afterwards."""
    started: list[BeatProcess] = []

    def start(**env) -> BeatProcess:
        schedule = tmp_path / f"beat-schedule-{len(started)}"
        beat = BeatProcess(worker_environment(**env), schedule)
        started.append(beat)
        return beat.start()

    yield start
    for beat in started:
        beat.stop()


@pytest.fixture
def redis_proxy(broker):
    """A fault proxy in front of Redis; the test process publishes through
    it (as the API would)."""
    url = urlsplit(settings.REDIS_URL)
    proxy = FaultProxy((url.hostname or "127.0.0.1", url.port or 6379)).start()
    proxy.url = proxied_url(settings.REDIS_URL, proxy.port)
    _use_broker(broker, proxy.url)
    yield proxy
    _use_broker(broker, settings.REDIS_URL)
    proxy.stop()


@pytest.fixture
def postgres_proxy(transactional_db):
    """A fault proxy in front of PostgreSQL (for a worker's connections)."""
    database = connection.settings_dict
    target = (database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432))
    proxy = FaultProxy(target).start()
    proxy.url = database_url("127.0.0.1", proxy.port)
    yield proxy
    proxy.stop()


def wait_until(predicate, *, timeout: float = 30, interval: float = 0.1):
    """Poll ``predicate`` until it returns a truthy value; fail on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def accept_notifications(*, service, template, count: int, **fields) -> list:
    """Insert ``count`` notifications as the API does (one transaction),
    then queue each for delivery after commit."""
    from deliveries import tasks
    from tests.deliveries.conftest import make_notification

    with transaction.atomic():
        notifications = [
            make_notification(service=service, template=template, **fields)
            for _ in range(count)
        ]
        for notification in notifications:
            transaction.on_commit(
                lambda n=notification: tasks.queue_delivery(
                    notification_id=n.id, channel=n.channel
                )
            )
    return [notification.id for notification in notifications]
