"""`make bench`: start the production shape on PostgreSQL and Redis, measure
the machine's ceilings and the service in the same run, print one table
with ratios, and save it as JSON under bench/results/.

Load comes from wrk (compiled, from Debian): the trivial-view ceiling shows
how much more it can drive than the API takes.
"""

import argparse
import json
import subprocess
import sys
import time

import jwt
import psycopg
import redis

from . import ceilings
from .common import (
    DEFAULT_DATABASE,
    DEFAULT_REDIS_DB,
    PYTHON,
    ROOT,
    BenchEnvironment,
    Processes,
    Row,
    free_port,
    machine,
    manage,
    peak_rss_mb,
    print_table,
    process_tree,
    reset_database,
    wait_for_http,
    write_results,
)
from .load import LoadResult, require_wrk, run_wrk

SEND_QUEUES = "send-email,send-sms,receipts,periodic"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=20_000, help="delivery burst")
    parser.add_argument("--rate", type=float, default=333, help="steady rate, /s")
    parser.add_argument("--steady-seconds", type=float, default=20)
    parser.add_argument("--api-burst", type=int, default=5_000, help="via the API")
    parser.add_argument("--latency-ms", type=int, default=50, help="fake latency")
    parser.add_argument("--seconds", type=float, default=6, help="per load level")
    parser.add_argument("--levels", default="4,16,32,64", help="API concurrencies")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument(
        "--web-worker-class", default="gthread", help="gunicorn's, e.g. sync"
    )
    parser.add_argument("--worker-processes", type=int, default=2)
    parser.add_argument("--worker-concurrency", type=int, default=8)
    parser.add_argument("--worker-pool", default="threads")
    parser.add_argument("--quick", action="store_true", help="small, fast run")
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="its own DB")
    parser.add_argument("--redis-db", type=int, default=DEFAULT_REDIS_DB)
    options = parser.parse_args(argv)
    if options.quick:
        options.burst = min(options.burst, 2_000)
        options.steady_seconds = min(options.steady_seconds, 8)
        options.api_burst = min(options.api_burst, 1_000)
        options.seconds = min(options.seconds, 3)
        options.levels = "16,32"
    return options


def key_parts(key: str) -> tuple[str, str]:
    return key[-73:-37], key[-36:]


def bearer(key: str) -> str:
    service_id, secret = key_parts(key)
    token = jwt.encode({"iss": service_id, "iat": int(time.time())}, secret)
    return f"Bearer {token}"


def start_web(procs: Processes, bench: BenchEnvironment, options) -> tuple[str, list]:
    port = free_port()
    command = [
        PYTHON, "-m", "gunicorn", "config.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(options.web_workers),
        "--worker-class", options.web_worker_class,
        "--threads", str(options.web_threads),
        "--keep-alive", "30",
        "--log-level", "warning",
    ]  # fmt: skip
    process = procs.start(command, bench.env(), "web")
    base_url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base_url}/_health")
    return base_url, [process]


def start_workers(procs: Processes, bench: BenchEnvironment, options) -> list:
    workers = []
    for index in range(options.worker_processes):
        command = [
            PYTHON, "-m", "celery", "-A", "config", "worker",
            "-Q", SEND_QUEUES,
            "--pool", options.worker_pool,
            "--concurrency", str(options.worker_concurrency),
            "--hostname", f"bench{index}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel", "WARNING",
        ]  # fmt: skip
        workers.append(procs.start(command, bench.env(), f"worker{index}"))
    time.sleep(3)
    return workers


def send_bodies(data: dict) -> dict[str, tuple[str, str]]:
    email = {
        "email_address": "camille.martin@example.org",
        "template_id": data["email_template_id"],
        "personalisation": {"name": "Camille", "reference": "BENCH-1"},
    }
    sms = {
        "phone_number": "+33612345678",
        "template_id": data["sms_template_id"],
        "personalisation": {"name": "Camille", "code": "123456"},
    }
    return {
        "email": ("/v2/notifications/email", json.dumps(email)),
        "sms": ("/v2/notifications/sms", json.dumps(sms)),
    }


def api_load(base_url: str, data: dict, variant: dict, concurrency: int, seconds):
    path, body = send_bodies(data)[variant["channel"]]
    auth = (
        bearer(data["key"]) if variant["auth"] == "jwt" else f"ApiKey-v1 {data['key']}"
    )
    env = {
        "BENCH_PATH": path,
        "BENCH_BODY": body,
        "BENCH_AUTH": auth,
        "BENCH_IDEMPOTENCY": "1" if variant.get("idempotency") else "0",
        "BENCH_LIMIT_PER_THREAD": str(variant.get("limit_per_thread", 0)),
    }
    return run_wrk(
        f"{base_url}{path}",
        concurrency=concurrency,
        seconds=seconds,
        script="post.lua",
        env=env,
    )


VARIANTS = [
    {"name": "email, JWT", "channel": "email", "auth": "jwt"},
    {"name": "sms, JWT", "channel": "sms", "auth": "jwt"},
    {"name": "email, ApiKey-v1", "channel": "email", "auth": "apikey"},
    {"name": "email, JWT + Idempotency-Key", "channel": "email", "auth": "jwt",
     "idempotency": True},
]  # fmt: skip


def measure_api(base_url, data, options, view_ceiling: float) -> tuple[list, dict]:
    rows, detail = [], {}
    levels = [int(level) for level in options.levels.split(",")]
    for variant in VARIANTS:
        results: list[LoadResult] = [
            api_load(base_url, data, variant, level, options.seconds)
            for level in levels
        ]
        detail[variant["name"]] = [result.__dict__ for result in results]
        best = max(results, key=lambda result: result.created_rate)
        errors = sum(result.requests - result.created for result in results)
        rows.append(
            Row(
                "api",
                f"accepted {variant['name']} (best c={best.concurrency})",
                best.created_rate,
                "req/s",
                ceiling="trivial view",
                ratio=best.created_rate / view_ceiling if view_ceiling else None,
                note=f"p50 {best.p50_ms:.1f} / p95 {best.p95_ms:.1f} / "
                f"p99 {best.p99_ms:.1f} ms; non-201 {errors}",
            )
        )
    return rows, detail


def purge_broker(bench: BenchEnvironment) -> None:
    redis.Redis.from_url(bench.redis_url).flushdb()


def measure_delivery(bench, base_url, data, options, celery_ceiling: float) -> list:
    """Delivery seen three ways, with the send workers running:

    - a burst of ``--burst`` emails inserted at once (as a job of that many
      rows would be) and queued to the batching publisher: handed over per
      second, the pipeline's capacity;
    - a steady ``--rate`` per second offered for ``--steady-seconds``:
      ``created → sent_at`` p50/p95/p99 and the share within one second;
    - ``--api-burst`` emails accepted through the API by wrk: the whole
      path, web process and its publisher included.
    """
    import os

    import django

    from . import delivery

    os.environ.update(bench.env())
    django.setup()
    feeder = delivery.Feeder(data)
    dsn = bench.database_url.replace("postgres://", "postgresql://")
    with psycopg.connect(dsn) as db:
        burst = delivery.burst(feeder, db, options)
        steady_options = argparse.Namespace(
            rate=options.rate, seconds=options.steady_seconds
        )
        steady = delivery.steady(feeder, db, steady_options)
        through_api = api_burst(bench, base_url, data, options, db)
    rate = burst["handed_over_per_second"]
    return [
        Row(
            "delivery",
            f"burst of {burst['accepted']:,} emails handed over",
            rate,
            "notif/s",
            ceiling="celery round trip",
            ratio=rate / celery_ceiling if celery_ceiling else None,
            note=f"{burst['handed_over']:,}/{burst['accepted']:,} handed over; "
            f"{rate * 60:,.0f}/min (target 20,000/min)",
        ),
        Row(
            "delivery",
            f"steady {steady['offered_per_second']:.0f}/s: created → sent_at p95",
            steady["p95_ms"],
            "ms",
            ceiling="target 1,000 ms",
            ratio=steady["p95_ms"] / 1000,
            note=f"p50 {steady['p50_ms']:.0f} / p99 {steady['p99_ms']:.0f} ms; "
            f"{steady['within_1s']:.1%} within 1 s (target 95 %); "
            f"{steady['handed_over']:,}/{steady['accepted']:,} handed over",
        ),
        Row(
            "delivery",
            f"through the API, {through_api['accepted']:,} emails: "
            "created → sent_at p95",
            through_api["p95_ms"],
            "ms",
            note=f"accepted at {through_api['accepted_per_second']:,.0f}/s, "
            f"handed over at {through_api['handed_over_per_second']:,.0f}/s; "
            f"p50 {through_api['p50_ms']:.0f} / p99 {through_api['p99_ms']:.0f} ms; "
            f"{through_api['within_1s']:.1%} within 1 s",
        ),
    ]


def api_burst(bench, base_url, data, options, db) -> dict:
    """``--api-burst`` emails sent through the API (wrk, 2 threads, 32
    connections), then their figures once all are handed over."""
    from . import delivery

    (started_at,) = db.execute("SELECT now()").fetchone()
    db.commit()
    per_thread = -(-options.api_burst // 2)
    variant = {"channel": "email", "auth": "jwt", "limit_per_thread": per_thread}
    # wrk runs its whole duration even once every thread has stopped at its
    # limit: give it what the burst needs at a few hundred a second.
    api_load(base_url, data, variant, 32, max(10, options.api_burst / 300))
    rows = db.execute(
        "SELECT id, created_at FROM notifications_notification "
        "WHERE created_at >= %s ORDER BY created_at",
        (started_at,),
    ).fetchall()
    db.commit()
    ids = [row[0] for row in rows]
    delivery.wait_handed_over(db, ids, time.monotonic() + 120)
    span = (rows[-1][1] - rows[0][1]).total_seconds() if len(rows) > 1 else 0
    return {
        **delivery.figures(db, ids),
        # From the rows: first to last acceptance.
        "accepted_per_second": len(rows) / span if span else 0.0,
    }


def render_rows(bench: BenchEnvironment, seconds: float) -> list:
    """Renders per second of the template language on one core
    (``bench.render``), against the issue's targets."""
    output = subprocess.run(
        [PYTHON, "-m", "bench.render", "--json", "--seconds", str(seconds)],
        cwd=ROOT, env=bench.env(), check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    rows = []
    for result in json.loads(output.strip().splitlines()[-1])["results"]:
        target = result["target"]
        rows.append(
            Row(
                "render",
                result["case"],
                result["per_cpu_second"],
                "/CPU s",
                ceiling=f"target {target:,}/s" if target else "",
                ratio=result["per_cpu_second"] / target if target else None,
                note=f"{result['per_wall_second']:,}/wall s",
            )
        )
    return rows


def memory_rows(web: list, workers: list) -> list:
    rows = []
    for label, processes in (("web", web), ("worker", workers)):
        for process in processes:
            for pid in process_tree(process.pid):
                peak = peak_rss_mb(pid)
                if peak is None:
                    continue
                rows.append(
                    Row(
                        "memory",
                        f"{label} pid {pid} peak RSS",
                        peak,
                        "MB",
                        ceiling="150 MB target",
                        ratio=peak / 150,
                    )
                )
    return rows


def main(argv: list[str] | None = None) -> int:
    options = parse_args(sys.argv[1:] if argv is None else argv)
    require_wrk()
    bench = BenchEnvironment(
        latency_ms=options.latency_ms,
        database=options.database,
        redis_db=options.redis_db,
    )
    started = time.time()
    print("Preparing the benchmark database and data…", flush=True)
    reset_database(bench)
    purge_broker(bench)
    manage(bench, "migrate", "--verbosity", "0")
    seeded = subprocess.run(
        [PYTHON, "-m", "bench.seed"], cwd=ROOT, env=bench.env(), check=True,
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    data = json.loads(seeded.strip().splitlines()[-1])
    print("Measuring template rendering (one core)…", flush=True)
    rows: list[Row] = render_rows(bench, 0.5 if options.quick else 1.0)
    detail: dict = {}
    with Processes() as procs:
        base_url, web = start_web(procs, bench, options)
        print("Measuring ceilings…", flush=True)
        view = max(
            (ceilings.trivial_view(base_url, concurrency=c, seconds=options.seconds)
             for c in (16, 64)),
            key=lambda row: row.value,
        )  # fmt: skip
        rows += [
            view,
            ceilings.insert_with_commit(bench, seconds=options.seconds),
            ceilings.redis_incr(bench),
        ]
        print("Measuring API acceptance (no worker running)…", flush=True)
        api_rows, detail["api"] = measure_api(base_url, data, options, view.value)
        rows += api_rows
        purge_broker(bench)
        workers = start_workers(procs, bench, options)
        celery = ceilings.celery_round_trip(
            bench, count=2000 if options.quick else 5000
        )
        rows.append(celery)
        print(
            f"Measuring delivery: a burst of {options.burst:,}, "
            f"{options.rate:.0f}/s for {options.steady_seconds:.0f} s, "
            f"{options.api_burst:,} through the API…",
            flush=True,
        )
        rows += measure_delivery(bench, base_url, data, options, celery.value)
        rows += memory_rows(web, workers)
    meta = {
        **machine(),
        "options": vars(options),
        "elapsed_seconds": time.time() - started,
        "load_generator": "wrk (Debian)",
        "detail": detail,
    }
    print()
    print_table(rows)
    path = write_results(rows, meta)
    print(f"\nSaved {path.relative_to(ROOT)} ({time.time() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
