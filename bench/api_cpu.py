"""CPU per accepted send, measured in-process: ``python -m bench.api_cpu``.

Wall-clock throughput on a shared 2-core machine is noisy; the CPU time
one send costs the web process is not. Sends go through Django's WSGI
handler (the whole middleware stack, as gunicorn calls it) on PostgreSQL
and Redis with production settings, in a database of the benchmark's own.

Publishing the delivery (the id queued after commit, and the batches the
publisher's thread sends to the broker) is timed on its own (``publish``)
and shown apart, so the API's own cost (``api``) can be compared whatever the
publisher does. ``--profile`` prints cProfile's top functions per variant.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import threading
import time
import uuid

from .common import PYTHON, ROOT, BenchEnvironment, manage, reset_database
from .run import bearer, send_bodies

VARIANTS = [
    {"name": "email, JWT", "channel": "email", "auth": "jwt"},
    {"name": "sms, JWT", "channel": "sms", "auth": "jwt"},
    {"name": "email, ApiKey-v1", "channel": "email", "auth": "apikey"},
    {"name": "email, JWT + Idempotency-Key", "channel": "email", "auth": "jwt",
     "idempotency": True},
]  # fmt: skip


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=300, help="per round")
    parser.add_argument("--rounds", type=int, default=3, help="the best is kept")
    parser.add_argument("--warm", type=int, default=50, help="unmeasured, first")
    parser.add_argument("--profile", action="store_true", help="cProfile top 20")
    parser.add_argument("--database", default="notif_bench_api_cpu")
    parser.add_argument("--redis-db", type=int, default=9)
    parser.add_argument("--json", action="store_true", help="one JSON line too")
    parser.add_argument(
        "--fresh", action="store_true", help="recreate the database first"
    )
    return parser.parse_args(argv)


def _database_exists(bench: BenchEnvironment) -> bool:
    import psycopg

    with psycopg.connect(
        host=bench.pg_host, port=bench.pg_port, user="postgres", dbname="postgres"
    ) as connection:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        return connection.execute(query, (bench.database,)).fetchone() is not None


def prepare(bench: BenchEnvironment, fresh: bool) -> dict:
    """A new service with its templates and a key, in the benchmark's
    database (created and migrated the first time, which takes a minute)."""
    import redis

    if fresh or not _database_exists(bench):
        reset_database(bench)
    redis.Redis.from_url(bench.redis_url).flushdb()
    manage(bench, "migrate", "--verbosity", "0")
    seeded = subprocess.run(
        [PYTHON, "-m", "bench.seed"], cwd=ROOT, env=bench.env(), check=True,
        capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    return json.loads(seeded.strip().splitlines()[-1])


class Wsgi:
    """Calls Django's WSGI handler as a server would."""

    def __init__(self) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()

    def post(self, path: str, body: bytes, headers: dict) -> int:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }
        environ.update(headers)
        status = []
        result = self.handler(environ, lambda s, h, e=None: status.append(s))
        try:
            b"".join(result)
        finally:
            result.close()
        return int(status[0].split()[0])


class PublishTimer:
    """Counts the CPU that publishing deliveries costs the process: the id
    queued in the request (``queue_delivery``) and the batches the
    publisher's thread sends. Thread CPU time, since the two run in
    different threads."""

    def __init__(self) -> None:
        from deliveries import publisher, tasks

        self.publisher = publisher.publisher
        self.seconds = 0.0
        self._lock = threading.Lock()
        tasks.queue_delivery = self._timed(tasks.queue_delivery)
        self.publisher._send = self._timed(self.publisher._send)

    def _timed(self, function):
        def timed(*args, **kwargs):
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                with self._lock:
                    self.seconds += time.thread_time() - started

        return timed

    def drain(self) -> None:
        """Send what is still buffered, so that a round pays for its own."""
        self.publisher.flush()


def run_variant(wsgi: Wsgi, publish: PublishTimer, data: dict, variant, options):
    path, body = send_bodies(data)[variant["channel"]]
    body = body.encode()
    auth = (
        bearer(data["key"]) if variant["auth"] == "jwt" else f"ApiKey-v1 {data['key']}"
    )
    total = options.warm + options.sends
    headers = [{"HTTP_AUTHORIZATION": auth} for _ in range(total)]
    if variant.get("idempotency"):
        for header in headers:
            header["HTTP_IDEMPOTENCY_KEY"] = str(uuid.uuid4())
    warm = [wsgi.post(path, body, header) for header in headers[: options.warm]]
    publish.drain()
    if set(warm) != {201}:
        raise SystemExit(f"{variant['name']}: warm-up sends refused: {set(warm)}")

    profiler = cProfile.Profile() if options.profile else None
    publish.seconds = 0.0
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    statuses = [wsgi.post(path, body, header) for header in headers[options.warm :]]
    publish.drain()
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    refused = sum(status != 201 for status in statuses)
    if refused:
        raise SystemExit(f"{variant['name']}: {refused} sends not accepted")
    per_send = 1000 / options.sends
    result = {
        "variant": variant["name"],
        "cpu_ms": cpu * per_send,
        "publish_ms": publish.seconds * per_send,
        "api_ms": (cpu - publish.seconds) * per_send,
        "wall_ms": wall * per_send,
    }
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(20)
        stats.sort_stats("tottime").print_stats(20)
        result["profile"] = out.getvalue()
    return result


def main(argv: list[str] | None = None) -> int:
    options = parse_args(sys.argv[1:] if argv is None else argv)
    bench = BenchEnvironment(database=options.database, redis_db=options.redis_db)
    data = prepare(bench, options.fresh)
    os.environ.update(bench.env())
    import warnings

    import django

    # Static files are not collected for an in-process run.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    wsgi, publish = Wsgi(), PublishTimer()
    # Rounds interleave the variants so that a neighbour's burst of load
    # does not land on one variant only; the fastest round of each is kept.
    rounds = [
        [run_variant(wsgi, publish, data, variant, options) for variant in VARIANTS]
        for _ in range(options.rounds)
    ]
    results = [
        min(tries, key=lambda result: result["cpu_ms"])
        for tries in zip(*rounds, strict=True)
    ]
    print(
        f"{'variant':<32} {'CPU ms/send':>12} {'publish':>9} {'api':>8} "
        f"{'wall ms':>8}   (best of {options.rounds} x {options.sends} sends)"
    )
    for result in results:
        if "profile" in result:
            print(f"\n=== {result['variant']} ===\n{result.pop('profile')}")
    for result in results:
        print(
            f"{result['variant']:<32} {result['cpu_ms']:>12.2f} "
            f"{result['publish_ms']:>9.2f} {result['api_ms']:>8.2f} "
            f"{result['wall_ms']:>8.2f}"
        )
    if options.json:
        print(json.dumps({"sends": options.sends, "results": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
