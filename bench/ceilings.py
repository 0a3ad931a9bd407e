"""The machine's own ceilings, measured in the same run as the service:
a trivial Django view, an INSERT with commit, a Celery round trip and a
Redis INCR."""

import json
import re
import subprocess
import time

import psycopg

from .common import PYTHON, ROOT, BenchEnvironment, Row
from .load import run_wrk


def trivial_view(base_url: str, *, concurrency: int, seconds: float) -> Row:
    result = run_wrk(f"{base_url}/_health", concurrency=concurrency, seconds=seconds)
    return Row(
        "ceiling",
        f"trivial Django view (c={concurrency})",
        result.rate,
        "req/s",
        note=f"p99 {result.p99_ms:.1f} ms, errors {result.errors}",
    )


def insert_with_commit(bench: BenchEnvironment, *, seconds: float) -> Row:
    with psycopg.connect(
        host=bench.pg_host,
        port=bench.pg_port,
        user="postgres",
        dbname=bench.database,
        autocommit=True,
    ) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS bench_ceiling "
            "(id bigserial primary key, payload text, created_at timestamptz)"
        )
        count = 0
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        while time.perf_counter() < deadline:
            connection.execute(
                "INSERT INTO bench_ceiling (payload, created_at) VALUES (%s, now())",
                ("x" * 200,),
            )
            count += 1
        elapsed = time.perf_counter() - started
        connection.execute("DROP TABLE bench_ceiling")
    return Row(
        "ceiling",
        "PostgreSQL single-row INSERT + commit (1 conn)",
        count / elapsed,
        "rows/s",
    )


def celery_round_trip(bench: BenchEnvironment, *, count: int) -> Row:
    output = subprocess.run(
        [PYTHON, "-m", "bench.celery_ping", "--count", str(count)],
        cwd=ROOT,
        env=bench.env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    data = json.loads(output.strip().splitlines()[-1])
    return Row(
        "ceiling",
        "Celery no-op task round trip",
        data["round_trip_per_second"],
        "tasks/s",
        note=f"publish alone {data['publish_per_second']:,.0f}/s",
    )


def redis_incr(bench: BenchEnvironment, *, requests: int = 200_000) -> Row:
    output = subprocess.run(
        [
            "redis-benchmark",
            "-h",
            bench.redis_host,
            "-p",
            str(bench.redis_port),
            "-n",
            str(requests),
            "-t",
            "incr",
            "-q",
            "--csv",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    match = re.search(r'"INCR","([\d.]+)"', output)
    rate = float(match.group(1)) if match else float("nan")
    return Row("ceiling", "Redis INCR (redis-benchmark, 50 clients)", rate, "ops/s")
