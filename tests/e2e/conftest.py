"""A real Celery worker process on Redis and the test PostgreSQL database,
for end-to-end tests. Tests that use it need committed data
(``transactional_db``)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
ALL_QUEUES = "send-email,send-sms,receipts,periodic,callbacks,jobs"


class WorkerProcess:
    """A ``celery worker`` child process; ``stop()`` and ``kill()`` end it."""

    def __init__(self, env: dict, queues: str, concurrency: int, pool: str) -> None:
        self.env = env
        self.queues = queues
        self.concurrency = concurrency
        self.pool = pool
        self.process: subprocess.Popen | None = None
        self.log_path = ROOT / "var" / f"worker-{os.getpid()}.log"

    def start(self) -> "WorkerProcess":
        self.log_path.parent.mkdir(exist_ok=True)
        log = self.log_path.open("ab")
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            self.queues,
            "--pool",
            self.pool,
            "--concurrency",
            str(self.concurrency),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early; see {self.log_path}")
            if b"ready." in self.log_path.read_bytes()[-5000:]:
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready after {timeout}s; see {self.log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and its pool)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def worker_environment(**overrides) -> dict:
    database = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": (
                f"postgres://{database['USER'] or 'postgres'}"
                f"{':' + database['PASSWORD'] if database['PASSWORD'] else ''}"
                f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
                f"/{database['NAME']}"
            ),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
        }
    )
    env.update({key: str(value) for key, value in overrides.items()})
    return env


@pytest.fixture
def broker():
    """Publish to the real Redis broker from the test process (instead of
    running tasks eagerly), on an empty broker database."""
    from config.celery import app

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
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


def wait_until(predicate, *, timeout: float = 30, interval: float = 0.1):
    """Poll ``predicate`` until it returns a truthy value; fail on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
