"""The delivery pipeline's speed: ``python -m bench.delivery``.

Starts Celery workers (and Beat) in production shape (DEBUG off, fake
providers allowed, ``FAKE_PROVIDER_LATENCY_MS``) on a database and a Redis
db of its own, then measures two things:

- throughput: a burst of ``--burst`` emails inserted at once (bulk insert,
  then each queued for delivery, as the API does); figure:
  emails handed over per second (``sent_at`` set) over the burst;
- latency: a steady offered rate (``--rate`` per second for ``--seconds``);
  figure: delay from ``created_at`` to ``sent_at`` at p50, p95, p99, and the
  share handed over within one second.

Prints a table and writes JSON under bench/results/. Bounded in time; stops
every process it started, even on error.
"""

import argparse
import json
import sys
import time
import uuid

import psycopg
import redis

from .common import (
    PYTHON,
    RESULTS,
    BenchEnvironment,
    Processes,
    Row,
    machine,
    manage,
    print_table,
    reset_database,
)

DATABASE = "notif_delivery_bench"
REDIS_DB = 7


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=20_000, help="burst size")
    parser.add_argument("--rate", type=float, default=333, help="steady rate, /s")
    parser.add_argument("--seconds", type=float, default=30, help="steady phase")
    parser.add_argument("--latency-ms", type=int, default=50, help="fake latency")
    parser.add_argument("--pool", default="threads", help="threads or gevent")
    parser.add_argument("--send-processes", type=int, default=2)
    parser.add_argument("--send-concurrency", type=int, default=8)
    parser.add_argument("--receipt-concurrency", type=int, default=8)
    parser.add_argument(
        "--send-threads", type=int, help="provider calls in flight per process"
    )
    parser.add_argument("--batch-size", type=int, help="ids per delivery task")
    parser.add_argument("--publish-interval-ms", type=float, help="publisher wait")
    parser.add_argument(
        "--no-receipts",
        action="store_true",
        help="fakes emit no receipts (to see the send path alone)",
    )
    parser.add_argument("--quick", action="store_true", help="small, fast run")
    parser.add_argument("--database", default=DATABASE, help="its own DB")
    parser.add_argument("--redis-db", type=int, default=REDIS_DB)
    options = parser.parse_args(argv)
    if options.quick:
        options.burst = min(options.burst, 2_000)
        options.seconds = min(options.seconds, 10)
    return options


def _worker(procs, bench, *, queues, pool, concurrency, name) -> None:
    command = [
        PYTHON, "-m", "celery", "-A", "config", "worker",
        "-Q", queues, "--pool", pool, "--concurrency", str(concurrency),
        "--hostname", f"{name}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    procs.start(command, bench.env(), f"delivery-{name}")


def start_pipeline(procs: Processes, bench: BenchEnvironment, options) -> None:
    for index in range(options.send_processes):
        _worker(
            procs,
            bench,
            queues="send-email,send-sms",
            pool=options.pool,
            concurrency=options.send_concurrency,
            name=f"send{index}",
        )
    _worker(
        procs,
        bench,
        queues="receipts,periodic",
        pool=options.pool,
        concurrency=options.receipt_concurrency,
        name="receipts",
    )
    beat = [PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel", "WARNING"]
    procs.start(beat, bench.env(), "delivery-beat")
    time.sleep(4)


class Feeder:
    """Insert notifications as the API does, from this process."""

    def __init__(self, seed: dict) -> None:
        from services.models import Service
        from templates_app.models import Template

        self.service = Service.objects.get(id=seed["service_id"])
        self.template = Template.objects.get(id=seed["email_template_id"])
        self.version = self.template.versions.order_by("-version").first()

    def accept(self, count: int) -> list[uuid.UUID]:
        from deliveries import tasks
        from notifications.models import Notification

        rows = [
            Notification(
                service=self.service,
                template=self.template,
                template_version=self.version,
                channel="email",
                recipient=f"bench{index}@example.org",
                normalised_recipient=f"bench{index}@example.org",
                personalisation={"name": "Camille", "reference": f"B-{index}"},
            )
            for index in range(count)
        ]
        Notification.objects.bulk_create(rows)
        for row in rows:
            tasks.queue_delivery(notification_id=row.id, channel="email")
        return [row.id for row in rows]


def wait_handed_over(db, ids: list, deadline: float) -> None:
    query = (
        "SELECT count(*) FROM notifications_notification "
        "WHERE id = ANY(%s) AND sent_at IS NULL"
    )
    while time.monotonic() < deadline:
        (left,) = db.execute(query, (ids,)).fetchone()
        db.commit()
        if left == 0:
            return
        time.sleep(0.5)


def figures(db, ids: list) -> dict:
    row = db.execute(
        """
        SELECT count(*), count(sent_at),
               extract(epoch FROM max(sent_at) - min(created_at)),
               percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY
                   extract(epoch FROM sent_at - created_at)),
               avg((extract(epoch FROM sent_at - created_at) <= 1)::int)
        FROM notifications_notification WHERE id = ANY(%s)
        """,
        (ids,),
    ).fetchone()
    db.commit()
    total, sent, span, quantiles, within_1s = row
    p50, p95, p99 = (float(value) * 1000 for value in (quantiles or [0, 0, 0]))
    return {
        "accepted": total,
        "handed_over": sent,
        "span_seconds": float(span or 0),
        "handed_over_per_second": sent / float(span) if span else 0.0,
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p99,
        "within_1s": float(within_1s or 0),
    }


def burst(feeder: Feeder, db, options) -> dict:
    started = time.monotonic()
    ids = feeder.accept(options.burst)
    accept_seconds = time.monotonic() - started
    wait_handed_over(db, ids, time.monotonic() + max(120, options.burst / 50))
    return {**figures(db, ids), "accept_seconds": accept_seconds}


def steady(feeder: Feeder, db, options) -> dict:
    tick = 0.1
    per_tick = options.rate * tick
    ids, owed = [], 0.0
    started = time.monotonic()
    while time.monotonic() - started < options.seconds:
        owed += per_tick
        count = int(owed)
        owed -= count
        ids += feeder.accept(count) if count else []
        next_tick = started + tick * (len(ids) / per_tick if per_tick else 0)
        time.sleep(max(0.0, min(tick, next_tick - time.monotonic())))
    offered = len(ids) / (time.monotonic() - started)
    wait_handed_over(db, ids, time.monotonic() + 120)
    return {**figures(db, ids), "offered_per_second": offered}


def rows_for(burst_figures: dict, steady_figures: dict) -> list[Row]:
    rate = burst_figures["handed_over_per_second"]
    return [
        Row("delivery", "burst: emails handed over per second", rate, "notif/s"),
        Row("delivery", "burst: emails handed over per minute", rate * 60, "/min",
            note="target 20,000/min"),
        Row("delivery", "steady: offered rate", steady_figures["offered_per_second"],
            "notif/s"),
        Row("delivery", "steady: created → sent_at p50", steady_figures["p50_ms"],
            "ms"),
        Row("delivery", "steady: created → sent_at p95", steady_figures["p95_ms"],
            "ms", note="target ≤ 1,000 ms"),
        Row("delivery", "steady: created → sent_at p99", steady_figures["p99_ms"],
            "ms"),
        Row("delivery", "steady: handed over within 1 s",
            steady_figures["within_1s"] * 100, "%", note="target ≥ 95 %"),
        Row("delivery", "burst: created → sent_at p95", burst_figures["p95_ms"],
            "ms", note="queueing of the whole burst"),
    ]  # fmt: skip


def prepare(bench: BenchEnvironment) -> dict:
    reset_database(bench)
    redis.Redis.from_url(bench.redis_url).flushdb()
    manage(bench, "migrate", "--verbosity", "0")
    output = manage(
        bench, "shell", "-c", "from bench import seed; seed.main()", capture=True
    )
    return json.loads(output.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    import os

    options = parse_args(sys.argv[1:] if argv is None else argv)
    extra = {"PROVIDER_RECEIPT_SINK": ""} if options.no_receipts else {}
    for name, value in (
        ("DELIVERY_SEND_THREADS", options.send_threads),
        ("DELIVERY_BATCH_SIZE", options.batch_size),
        ("DELIVERY_PUBLISH_INTERVAL_MS", options.publish_interval_ms),
    ):
        if value is not None:
            extra[name] = value
    bench = BenchEnvironment(
        database=options.database,
        redis_db=options.redis_db,
        latency_ms=options.latency_ms,
        extra=extra,
    )
    seed = prepare(bench)
    os.environ.update(bench.env())
    import django

    django.setup()
    with (
        Processes() as procs,
        psycopg.connect(
            bench.database_url.replace("postgres://", "postgresql://")
        ) as db,
    ):
        start_pipeline(procs, bench, options)
        feeder = Feeder(seed)
        print(f"Burst of {options.burst} emails…", flush=True)
        burst_figures = burst(feeder, db, options)
        print(f"Steady {options.rate:.0f}/s for {options.seconds:.0f} s…", flush=True)
        steady_figures = steady(feeder, db, options)
    rows = rows_for(burst_figures, steady_figures)
    print_table(rows)
    meta = {
        "benchmark": "delivery",
        "machine": machine(),
        "options": vars(options),
        "burst": burst_figures,
        "steady": steady_figures,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"delivery-{time.strftime('%Y%m%dT%H%M%S')}.json"
    payload = {"meta": meta, "rows": [row.__dict__ for row in rows]}
    path.write_text(json.dumps(payload, indent=2, default=str))
    print(f"Results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
