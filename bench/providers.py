"""`python -m bench.providers`: what the provider layer costs, in the
production shape (DEBUG off, PostgreSQL, Redis), one process.

- choosing a provider at each attempt (cached configuration, one Redis
  read for the cool-downs);
- a fake send, with and without the cross-process counter in Redis;
- an SMS receipt webhook end to end through Django (authenticate, parse,
  store once in PostgreSQL, publish the task to Redis), unique reports and
  replays.

It uses a database and Redis db of its own (``--database``,
``--redis-db``), dropped and flushed first.
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import time
import uuid

from .common import (
    PYTHON,
    ROOT,
    BenchEnvironment,
    Row,
    machine,
    manage,
    percentile,
    print_table,
    reset_database,
    write_results,
)

RECEIPT_SECRET = "bench-receipt-secret-" + "z" * 20
SINCH_REPORT = {
    "type": "recipient_delivery_report_sms",
    "recipient": "+33612345678",
    "code": 0,
    "status": "Delivered",
    "at": "2026-11-14T15:22:19.210Z",
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="notif_providers_bench")
    parser.add_argument("--redis-db", type=int, default=3)
    parser.add_argument("--calls", type=int, default=5000, help="calls per measure")
    parser.add_argument("--receipts", type=int, default=2000, help="webhook posts")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _timed(function, count: int) -> list[float]:
    durations = []
    for index in range(count):
        started = time.perf_counter()
        function(index)
        durations.append(time.perf_counter() - started)
    return durations


def _rows(section: str, name: str, durations: list[float], note: str = "") -> list[Row]:
    total = sum(durations)
    return [
        Row(section, f"{name}: per second", len(durations) / total, "ops/s", note=note),
        Row(section, f"{name}: p50", percentile(durations, 0.5) * 1000, "ms"),
        Row(section, f"{name}: p99", percentile(durations, 0.99) * 1000, "ms"),
    ]


def _inner(options: argparse.Namespace) -> list[Row]:
    import django

    django.setup()
    return _measure_providers(options) + _measure_receipts(options)


def _measure_providers(options: argparse.Namespace) -> list[Row]:
    from django.conf import settings

    from providers import fake, registry
    from providers.base import OutgoingSms
    from providers.fake import FakeSmsProvider

    registry.choose_provider("sms")  # seeds the configuration
    rows = _rows(
        "providers",
        "choose_provider (cached config + cool-downs)",
        _timed(lambda index: registry.choose_provider("sms"), options.calls),
    )
    provider = FakeSmsProvider()
    settings.PROVIDER_RECEIPT_SINK = ""

    def send(index: int) -> None:
        provider.send_sms(OutgoingSms(uuid.uuid4(), "+33612345678", "Code 123", "S"))

    fake.reset()
    rows += _rows(
        "providers", "fake send, counted in Redis", _timed(send, options.calls)
    )
    counted = fake.sent_total()
    settings.FAKE_PROVIDER_REDIS_URL = ""
    rows += _rows(
        "providers", "fake send, this process only", _timed(send, options.calls)
    )
    settings.FAKE_PROVIDER_REDIS_URL = os.environ["REDIS_URL"]
    fake.reset()
    rows[-1].note = f"{counted} sends counted in Redis"
    return rows


def _measure_receipts(options: argparse.Namespace) -> list[Row]:
    from django.conf import settings
    from django.test import Client

    from deliveries.models import DeliveryReceipt

    settings.PROVIDER_RECEIPT_SINK = "deliveries.receipts.receipt_accept"
    client = Client(HTTP_HOST="127.0.0.1")
    credentials = base64.b64encode(f"sinch:{RECEIPT_SECRET}".encode()).decode()

    def post(index: int, batch_id: str | None = None) -> None:
        body = {**SINCH_REPORT, "batch_id": batch_id or f"batch-{index}"}
        response = client.post(
            "/receipts/sms/sinch-sms/",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Basic {credentials}",
        )
        if response.status_code != 200:
            raise RuntimeError(f"webhook answered {response.status_code}")

    before = DeliveryReceipt.objects.count()
    rows = _rows(
        "receipts",
        "SMS webhook, new reports (stored + published)",
        _timed(post, options.receipts),
    )
    stored = DeliveryReceipt.objects.count() - before
    rows += _rows(
        "receipts",
        "SMS webhook, replays (stored once)",
        _timed(lambda index: post(index, "batch-replayed"), options.receipts),
    )
    replayed = DeliveryReceipt.objects.count() - before - stored
    note = f"{stored} new, {replayed} from {options.receipts} replays"
    rows.append(Row("receipts", "rows stored", stored + replayed, "rows", note=note))
    return rows


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv if argv is not None else sys.argv[1:])
    if options.inner:
        rows = _inner(options)
        print(json.dumps([row.__dict__ for row in rows]))
        return 0

    bench = BenchEnvironment(
        database=options.database,
        redis_db=options.redis_db,
        latency_ms=0,
        extra={
            "SINCH_SERVICE_PLAN_ID": "bench",
            "SINCH_API_TOKEN": "bench",
            "SINCH_RECEIPT_SECRETS": RECEIPT_SECRET,
            "LOG_LEVEL": "ERROR",
        },
    )
    import redis

    redis.Redis.from_url(bench.redis_url).flushdb()
    reset_database(bench)
    manage(bench, "migrate", "--verbosity", "0")
    completed = subprocess.run(
        [PYTHON, "-m", "bench.providers", "--inner", *_passed_on(options)],
        cwd=ROOT,
        env=bench.env(),
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    rows = [Row(**row) for row in json.loads(completed.stdout.splitlines()[-1])]
    redis.Redis.from_url(bench.redis_url).flushdb()
    print_table(rows)
    print(
        f"results: {write_results(rows, {'machine': machine(), 'bench': 'providers'})}"
    )
    return 0


def _passed_on(options: argparse.Namespace) -> list[str]:
    return ["--calls", str(options.calls), "--receipts", str(options.receipts)]


if __name__ == "__main__":
    sys.exit(main())
