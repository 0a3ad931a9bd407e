"""Delivery pipeline timings: retries, relay, time-outs and sweeps.

Every value can be set from the environment so that the fault-injection
tests and the benchmark can shrink minutes to seconds; the defaults are the
production ones.
"""

import environ

env = environ.Env()

# Retries after a temporary error: exponential back-off with full jitter,
# from DELIVERY_RETRY_BASE_SECONDS doubling up to
# DELIVERY_RETRY_MAX_DELAY_SECONDS, bounded in count and in total time
# since the first attempt (about four hours, as GOV.UK Notify); then the
# notification ends in ``technical-failure``.
DELIVERY_RETRY_BASE_SECONDS = env.float("DELIVERY_RETRY_BASE_SECONDS", default=5)
DELIVERY_RETRY_MAX_DELAY_SECONDS = env.float(
    "DELIVERY_RETRY_MAX_DELAY_SECONDS", default=300
)
DELIVERY_MAX_ATTEMPTS = env.int("DELIVERY_MAX_ATTEMPTS", default=50)
DELIVERY_RETRY_WINDOW_SECONDS = env.float(
    "DELIVERY_RETRY_WINDOW_SECONDS", default=4 * 3600
)
# Back-offs up to this long are a Celery countdown (well under the broker's
# visibility timeout); longer ones wait in the database for the relay.
DELIVERY_COUNTDOWN_MAX_SECONDS = env.float("DELIVERY_COUNTDOWN_MAX_SECONDS", default=30)
# After an ambiguous outcome (the provider may have taken the message), wait
# at least this long before sending again, so that a receipt for the first
# attempt can arrive and make the resend unnecessary.
DELIVERY_AMBIGUOUS_RESEND_AFTER_SECONDS = env.float(
    "DELIVERY_AMBIGUOUS_RESEND_AFTER_SECONDS", default=300
)

# The relay publishes again notifications still ``created`` this long after
# acceptance or after their back-off (the publish was lost: broker down,
# process killed after commit), then at most once every
# DELIVERY_RELAY_REPUBLISH_SECONDS while they stay ``created``. The delay
# must exceed the time a burst waits in the queue (20,000 at ~330/s is a
# minute), or the relay publishes a second task for rows merely queued.
DELIVERY_RELAY_DELAY_SECONDS = env.float("DELIVERY_RELAY_DELAY_SECONDS", default=90)
DELIVERY_RELAY_REPUBLISH_SECONDS = env.float(
    "DELIVERY_RELAY_REPUBLISH_SECONDS", default=300
)
DELIVERY_RELAY_BATCH = env.int("DELIVERY_RELAY_BATCH", default=2000)
DELIVERY_RELAY_INTERVAL_SECONDS = env.float(
    "DELIVERY_RELAY_INTERVAL_SECONDS", default=5
)

# ``sending``/``pending`` this long become ``temporary-failure``; ``created``
# this long (never handed over) becomes ``technical-failure``.
DELIVERY_SENDING_TIMEOUT_SECONDS = env.float(
    "DELIVERY_SENDING_TIMEOUT_SECONDS", default=72 * 3600
)
# An attempt still in progress after this long lost its worker (killed, or
# cut from the database): nothing sends for that long (provider time-outs
# are seconds), so the sweep marks it for reconciliation.
DELIVERY_STALE_ATTEMPT_SECONDS = env.float(
    "DELIVERY_STALE_ATTEMPT_SECONDS", default=600
)
DELIVERY_SWEEP_INTERVAL_SECONDS = env.float(
    "DELIVERY_SWEEP_INTERVAL_SECONDS", default=60
)

# A receipt whose notification is not known yet (it came before the send
# was recorded) is retried with back-off, then logged and set aside.
DELIVERY_RECEIPT_RETRY_BASE_SECONDS = env.float(
    "DELIVERY_RECEIPT_RETRY_BASE_SECONDS", default=5
)
DELIVERY_RECEIPT_MAX_ATTEMPTS = env.int("DELIVERY_RECEIPT_MAX_ATTEMPTS", default=8)
# Stored receipts still unapplied after this long are published again (their
# task was lost: the broker was down when they came).
DELIVERY_RECEIPT_SWEEP_AFTER_SECONDS = env.float(
    "DELIVERY_RECEIPT_SWEEP_AFTER_SECONDS", default=60
)
# Raw receipts hold personal data: processed ones are deleted after this.
DELIVERY_RECEIPT_RETENTION_DAYS = env.int("DELIVERY_RECEIPT_RETENTION_DAYS", default=7)

# When recording a provider's answer fails (the database went away), retry
# in the worker this many times before handing the answer to a task.
DELIVERY_RECORD_RETRIES = env.int("DELIVERY_RECORD_RETRIES", default=4)

# After a publish to the broker fails, a process leaves the publishes that
# have a safety net (retry countdowns: the relay; receipt retries: the
# receipt sweep) to it for this long, so a hung Redis costs one publish's
# time-outs (about 6 s) rather than one per failed send of a batch.
DELIVERY_PUBLISH_PAUSE_SECONDS = env.float("DELIVERY_PUBLISH_PAUSE_SECONDS", default=10)

# Batching (see deliveries/publisher.py): ids queued after commit leave as
# one Celery message per queue when DELIVERY_BATCH_SIZE are waiting or the
# oldest has waited DELIVERY_PUBLISH_INTERVAL_MS; a worker hands a batch's
# notifications over concurrently on DELIVERY_SEND_THREADS threads per
# process (providers are I/O-bound: most of a send is waiting for them).
DELIVERY_BATCH_SIZE = env.int("DELIVERY_BATCH_SIZE", default=100)
DELIVERY_PUBLISH_INTERVAL_MS = env.float("DELIVERY_PUBLISH_INTERVAL_MS", default=50)
DELIVERY_SEND_THREADS = env.int("DELIVERY_SEND_THREADS", default=32)
