"""Publish N no-op tasks and wait until a worker has run them all; print
the rate as JSON. Runs inside the benchmark's environment."""

import argparse
import json
import time
import uuid

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--timeout", type=float, default=120)
    options = parser.parse_args()
    django.setup()
    import redis
    from django.conf import settings

    from config.celery import ping

    counter = f"bench:ping:{uuid.uuid4()}"
    client = redis.Redis.from_url(settings.REDIS_URL)
    started = time.perf_counter()
    for _ in range(options.count):
        ping.apply_async(args=[counter], queue="periodic")
    published = time.perf_counter()
    deadline = started + options.timeout
    while int(client.get(counter) or 0) < options.count:
        if time.perf_counter() > deadline:
            raise SystemExit("the worker did not run every task in time")
        time.sleep(0.01)
    finished = time.perf_counter()
    client.delete(counter)
    print(
        json.dumps(
            {
                "count": options.count,
                "publish_per_second": options.count / (published - started),
                "round_trip_per_second": options.count / (finished - started),
            }
        )
    )


if __name__ == "__main__":
    main()
