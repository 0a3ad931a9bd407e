"""Shared benchmark plumbing: the production-shaped environment, the
processes it starts (always stopped again), percentiles, memory sampling and
the results table."""

import contextlib
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable

DEFAULT_DATABASE = "notif_bench"
DEFAULT_REDIS_DB = 8
# A fixed Fernet key for the benchmark's throwaway database only.
BENCH_ENCRYPTION_KEY = "YmVuY2htYXJrLW9ubHkta2V5LW5vdC1mb3ItcHJvZDE="


@dataclass
class BenchEnvironment:
    """Production-like settings (DEBUG off) on a database and a Redis db of
    the benchmark's own."""

    database: str = DEFAULT_DATABASE
    redis_db: int = DEFAULT_REDIS_DB
    latency_ms: int = 50
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    extra: dict = field(default_factory=dict)

    @property
    def database_url(self) -> str:
        return f"postgres://postgres@{self.pg_host}:{self.pg_port}/{self.database}"

    @property
    def redis_url(self) -> str:
        return f"redis://{self.redis_host}:{self.redis_port}/{self.redis_db}"

    def env(self) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if key in {"PATH", "HOME", "LANG", "LC_ALL"}
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.prod",
                "SECRET_KEY": "benchmark-only-secret-key-" + "x" * 40,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "API_KEY_ENCRYPTION_KEYS": BENCH_ENCRYPTION_KEY,
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "ALLOW_FAKE_PROVIDERS": "true",
                "FAKE_PROVIDER_LATENCY_MS": str(self.latency_ms),
                # Receipts come after the answer, in batches, as webhooks do.
                "FAKE_PROVIDER_RECEIPT_BATCH_MS": "50",
                "SECURE_SSL_REDIRECT": "false",
                "LOG_LEVEL": "WARNING",
                "LOG_FORMAT": "text",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update({key: str(value) for key, value in self.extra.items()})
        return env


def reset_database(bench: BenchEnvironment) -> None:
    with psycopg.connect(
        host=bench.pg_host,
        port=bench.pg_port,
        user="postgres",
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{bench.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{bench.database}"')


def manage(bench: BenchEnvironment, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=bench.env(),
        check=True,
        capture_output=capture,
        text=True,
        timeout=600,
    )
    return result.stdout if capture else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Processes:
    """Every process a benchmark starts; all are stopped on exit, even on
    error or Ctrl-C."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []

    def start(self, command: list[str], env: dict, log_name: str) -> subprocess.Popen:
        RESULTS.mkdir(parents=True, exist_ok=True)
        log = (RESULTS / f"{log_name}.log").open("wb")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def stop(self, process: subprocess.Popen, timeout: float = 20) -> None:
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            self.stop(process)

    def __enter__(self) -> "Processes":
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()


def wait_for_http(url: str, timeout: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def process_tree(pid: int) -> list[int]:
    """The pid and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def peak_rss_mb(pid: int) -> float | None:
    """The peak resident set size (VmHWM) of a process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg(),
    }


@dataclass
class Row:
    section: str
    name: str
    value: float
    unit: str
    ceiling: str = ""
    ratio: float | None = None
    note: str = ""


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'section':<10} {'measure':<46} {'value':>12} {'unit':<8} {'ratio':>8}  note"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        ratio = "" if row.ratio is None else f"{row.ratio:.1%}"
        value = f"{row.value:,.1f}" if row.value == row.value else "n/a"
        print(
            f"{row.section:<10} {row.name:<46} {value:>12} {row.unit:<8} "
            f"{ratio:>8}  {row.note}"
        )


def write_results(rows: list[Row], meta: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = RESULTS / f"bench-{stamp}.json"
    payload = {"meta": meta, "rows": [row.__dict__ for row in rows]}
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path
