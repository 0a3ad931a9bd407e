"""The status state machine, through the real actions and PostgreSQL.

A hypothesis rule-based machine interleaves claims, provider answers (some
recorded twice), receipts (duplicated, late, reordered, for unknown
references), retries, relays, reconciliation sweeps and time-outs on one
notification. A trigger logs every status change the database sees, so
the checks hold for what actually happened, not for what an action
returned:

- each step changes the status at most once;
- no change goes backwards, except the retry hand-back ``sending →
  created``, and only from a step that ends an attempt;
- driven to the end, every notification reaches a final status, and that
  status ranks at least as high as every final status a receipt reported
  (so the order receipts came in does not matter).
"""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from deliveries import actions
from deliveries.models import AttemptOutcome
from notifications.models import Notification
from notifications.statuses import (
    FINAL_RANK,
    FINAL_STATUSES,
    RECEIPT_STATUSES,
    NotificationStatus,
    is_final,
    next_status,
    progress,
)
from providers.base import ReceiptEvent
from tests.deliveries.conftest import make_notification

S = NotificationStatus
PROVIDER = "fake-x"

STATUS_LOG_SQL = """
CREATE TEMP TABLE status_log (
    seq serial PRIMARY KEY, notification_id uuid, old text, new text
);
CREATE FUNCTION pg_temp.log_status() RETURNS trigger AS $$
BEGIN
    INSERT INTO status_log (notification_id, old, new)
    VALUES (NEW.id, OLD.status, NEW.status);
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER log_status AFTER UPDATE OF status ON notifications_notification
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION pg_temp.log_status();
"""

ANSWERS = (
    "accepted",
    "accepted-sent",
    "temporary-error",
    "ambiguous",
    "permanent-failure",
    "technical-failure",
    "provider-fault",
)


def _result(attempt_id, notification_id, answer: str) -> actions.AttemptResult:
    base = {
        "attempt_id": attempt_id,
        "notification_id": notification_id,
        "provider": PROVIDER,
        "finished_at": timezone.now(),
    }
    if answer.startswith("accepted"):
        return actions.AttemptResult(
            **base,
            outcome=AttemptOutcome.ACCEPTED,
            provider_reference=f"ref-{attempt_id}",
            reported_status=S.SENT if answer == "accepted-sent" else None,
        )
    if answer in ("temporary-error", "ambiguous"):
        ambiguous = answer == "ambiguous"
        return actions.AttemptResult(
            **base,
            outcome=AttemptOutcome.UNKNOWN if ambiguous else "temporary-error",
            retryable=True,
            ambiguous=ambiguous,
        )
    return actions.AttemptResult(
        **base,
        outcome=AttemptOutcome.PERMANENT_ERROR,
        reported_status=(S.TECHNICAL_FAILURE if answer == "provider-fault" else answer),
        retryable=answer == "provider-fault",
    )


class NotificationLifecycle(RuleBasedStateMachine):
    """One notification, any interleaving of what can happen to it."""

    service = None
    templates: dict = {}

    def __init__(self) -> None:
        super().__init__()
        self.channel = None
        self.notification_id = None

    @initialize(channel=st.sampled_from(["email", "sms"]))
    def accept(self, channel):
        notification = make_notification(
            service=self.service, template=self.templates[channel]
        )
        self.channel = channel
        self.notification_id = notification.id
        self.created_at = notification.created_at
        self.open_attempts: list[int] = []
        self.results: list[actions.AttemptResult] = []
        self.references: list[str] = []
        self.events: list[ReceiptEvent] = []
        self.receipt_ids: list[uuid.UUID] = []
        self.reported_final: set[str] = set()
        self.seen_log = self._last_log_seq()
        self.status = S.CREATED

    # Helpers

    def _status(self) -> str:
        return Notification.objects.values_list("status", flat=True).get(
            id=self.notification_id
        )

    def _last_log_seq(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(seq), 0) FROM status_log")
            return cursor.fetchone()[0]

    def _changes_since_last_step(self) -> list[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT seq, old, new FROM status_log "
                "WHERE notification_id = %s AND seq > %s ORDER BY seq",
                [self.notification_id, self.seen_log],
            )
            rows = cursor.fetchall()
        self.seen_log = self._last_log_seq()
        return [(old, new) for _, old, new in rows]

    def _check_step(self, *, may_hand_back: bool) -> None:
        changes = self._changes_since_last_step()
        self.status = self._status()
        assert len(changes) <= 1, f"one step changed the status twice: {changes}"
        for old, new in changes:
            handed_back = (old, new) == (S.SENDING, S.CREATED)
            if handed_back:
                assert may_hand_back, "handed back outside an attempt's end"
                continue
            before = progress(self.channel, old)
            after = progress(self.channel, new)
            assert after > before, f"{old} → {new} moves backwards"

    def _receive(self, status: str, reference: str | None) -> None:
        event = ReceiptEvent(
            provider=PROVIDER,
            provider_event_id=str(uuid.uuid4()),
            provider_reference=reference or "",
            status=status,
            occurred_at=timezone.now(),
            notification_id=None if reference else self.notification_id,
        )
        self._store_and_apply(event)

    def _store_and_apply(self, event: ReceiptEvent) -> None:
        receipt = actions.receipt_store(event=event)
        assert receipt is not None
        self.events.append(event)
        self.receipt_ids.append(receipt.id)
        applied = actions.receipt_apply(receipt_id=receipt.id)
        if applied.outcome is not None and event.status in FINAL_STATUSES:
            self.reported_final.add(event.status)

    # Rules

    @precondition(lambda self: self.status == S.CREATED)
    @rule()
    def claim(self):
        attempt = actions.notification_claim(
            notification_id=self.notification_id, provider=PROVIDER
        )
        assert attempt is not None
        self.open_attempts.append(attempt.id)
        self._check_step(may_hand_back=False)

    @precondition(lambda self: self.status == S.CREATED)
    @rule(answer=st.sampled_from(ANSWERS))
    def send(self, answer):
        """A claim and its provider's answer, back to back."""
        self.claim()
        if self.open_attempts:
            self.provider_answers(answer)

    @precondition(lambda self: self.open_attempts)
    @rule(answer=st.sampled_from(ANSWERS))
    def provider_answers(self, answer):
        # At most one attempt is open at a time: a claim needs ``created``.
        attempt_id = self.open_attempts.pop()
        result = _result(attempt_id, self.notification_id, answer)
        actions.attempt_record_result(result=result)
        self.results.append(result)
        if result.provider_reference:
            self.references.append(result.provider_reference)
        self._check_step(may_hand_back=True)

    @precondition(lambda self: self.results and not is_final(self.status))
    @rule(data=st.data())
    def answer_recorded_again(self, data):
        before = self._status()
        actions.attempt_record_result(result=data.draw(st.sampled_from(self.results)))
        assert self._status() == before
        self._check_step(may_hand_back=False)

    @rule(status=st.sampled_from(sorted(RECEIPT_STATUSES)), by_reference=st.booleans())
    def receipt(self, status, by_reference):
        reference = self.references[-1] if by_reference and self.references else None
        self._receive(status, reference)
        self._check_step(may_hand_back=False)

    @precondition(lambda self: self.open_attempts)
    # ``pending`` drawn half the time: it keeps the notification open, so
    # the provider's answer still has something to race with.
    @rule(
        status=st.one_of(st.just(S.PENDING), st.sampled_from(sorted(RECEIPT_STATUSES)))
    )
    def receipt_while_in_flight(self, status):
        """A receipt that overtakes the provider's own answer."""
        self._receive(status, None)
        self._check_step(may_hand_back=False)

    @precondition(lambda self: not is_final(self.status))
    @rule(status=st.sampled_from(sorted(RECEIPT_STATUSES)))
    def receipt_for_unknown_reference(self, status):
        before = self._status()
        event = ReceiptEvent(
            provider=PROVIDER,
            provider_event_id=str(uuid.uuid4()),
            provider_reference=f"unknown-{uuid.uuid4()}",
            status=status,
        )
        receipt = actions.receipt_store(event=event)
        assert actions.receipt_apply(receipt_id=receipt.id).outcome is None
        assert self._status() == before
        self._check_step(may_hand_back=False)

    @precondition(lambda self: self.events)
    @rule(data=st.data())
    def receipt_replayed(self, data):
        before = self._status()
        event = data.draw(st.sampled_from(self.events))
        assert actions.receipt_store(event=event) is None
        receipt_id = data.draw(st.sampled_from(self.receipt_ids))
        actions.receipt_apply(receipt_id=receipt_id)
        assert self._status() == before
        self._check_step(may_hand_back=False)

    @precondition(lambda self: self.status in (S.SENDING, S.PENDING))
    @rule()
    def task_delivered_again(self):
        """A task delivered twice (or published again by the relay) finds
        nothing to claim."""
        assert (
            actions.notification_claim(
                notification_id=self.notification_id, provider=PROVIDER
            )
            is None
        )
        self._check_step(may_hand_back=False)

    @precondition(lambda self: not is_final(self.status))
    @rule()
    def relay(self):
        before = self._status()
        actions.notifications_take_for_relay(now=timezone.now() + dt.timedelta(hours=1))
        assert self._status() == before
        self._check_step(may_hand_back=False)

    @precondition(lambda self: self.open_attempts)
    @rule()
    def reconciliation_sweep(self):
        actions.attempts_reconcile_stale(now=timezone.now() + dt.timedelta(days=1))
        self.open_attempts.clear()
        self._check_step(may_hand_back=True)

    @precondition(lambda self: not is_final(self.status))
    @rule()
    def time_out(self):
        actions.notifications_time_out(now=self.created_at + dt.timedelta(hours=73))
        self._check_step(may_hand_back=False)

    @invariant()
    def status_is_known(self):
        if self.notification_id is not None:
            assert self._status() in set(S)

    def teardown(self):
        if self.notification_id is None:
            return
        for _ in range(20):
            if is_final(self._status()):
                break
            self._drive_one_step()
        final = self._status()
        assert is_final(final), f"stuck in {final}"
        ranks = FINAL_RANK[self.channel]
        for reported in self.reported_final:
            assert ranks[final] >= ranks[reported], (
                f"{final} outranked by receipt {reported} ({self.channel})"
            )

    def _drive_one_step(self):
        status = self._status()
        if status == S.CREATED:
            self.claim()
            self.provider_answers_last("temporary-error")
        elif status == S.SENDING and self.open_attempts:
            self.reconciliation_sweep()
        else:
            self.time_out()

    def provider_answers_last(self, answer):
        if not self.open_attempts:
            return
        attempt_id = self.open_attempts.pop()
        actions.attempt_record_result(
            result=_result(attempt_id, self.notification_id, answer)
        )
        self._check_step(may_hand_back=True)


@pytest.fixture
def lifecycle_machine(db, settings, service, email_template):
    from tests import factories

    settings.DELIVERY_MAX_ATTEMPTS = 3
    settings.DELIVERY_RETRY_WINDOW_SECONDS = 10 * 24 * 3600
    settings.DELIVERY_AMBIGUOUS_RESEND_AFTER_SECONDS = 0
    settings.DELIVERY_COUNTDOWN_MAX_SECONDS = 0
    settings.DELIVERY_RECORD_RETRIES = 0
    with connection.cursor() as cursor:
        cursor.execute(STATUS_LOG_SQL)
    NotificationLifecycle.service = service
    NotificationLifecycle.templates = {
        "email": email_template,
        "sms": factories.sms_template(service=service),
    }
    return NotificationLifecycle


def _run(machine, examples: int) -> None:
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_any_interleaving_ends_final_without_regressing(lifecycle_machine):
    _run(lifecycle_machine, examples=60)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_any_interleaving_ends_final_without_regressing_exhaustive(
    lifecycle_machine,
):
    _run(lifecycle_machine, examples=1000)


@pytest.mark.parametrize(
    ("channel", "current", "reported", "expected"),
    [
        # Email: a bounce after the delivery receipt wins.
        ("email", S.DELIVERED, S.PERMANENT_FAILURE, S.PERMANENT_FAILURE),
        ("email", S.PERMANENT_FAILURE, S.DELIVERED, None),
        # Email: a delivery after a soft bounce or our time-out wins.
        ("email", S.TEMPORARY_FAILURE, S.DELIVERED, S.DELIVERED),
        ("email", S.DELIVERED, S.TEMPORARY_FAILURE, None),
        # SMS: the handset's acknowledgement wins over failure reports.
        ("sms", S.PERMANENT_FAILURE, S.DELIVERED, S.DELIVERED),
        ("sms", S.DELIVERED, S.PERMANENT_FAILURE, None),
        ("sms", S.TEMPORARY_FAILURE, S.PERMANENT_FAILURE, S.PERMANENT_FAILURE),
        # A receipt proves the provider had it after our technical failure.
        ("email", S.TECHNICAL_FAILURE, S.DELIVERED, S.DELIVERED),
        ("sms", S.TECHNICAL_FAILURE, S.TEMPORARY_FAILURE, S.TEMPORARY_FAILURE),
        # Late intermediate receipts change nothing.
        ("email", S.DELIVERED, S.PENDING, None),
        ("sms", S.PENDING, S.PENDING, None),
        # A receipt for an attempt we handed back stops the resend.
        ("sms", S.CREATED, S.DELIVERED, S.DELIVERED),
        ("email", S.SENDING, S.PENDING, S.PENDING),
        # Duplicates change nothing.
        ("email", S.DELIVERED, S.DELIVERED, None),
        ("sms", S.DELIVERED, S.DELIVERED, None),
    ],
)
def test_receipt_precedence(channel, current, reported, expected):
    assert (
        next_status(
            channel=channel, current=current, event="receipt", reported=reported
        )
        == expected
    )


@pytest.mark.parametrize(
    ("event", "current", "expected"),
    [
        ("claim", S.CREATED, S.SENDING),
        ("claim", S.SENDING, None),
        ("claim", S.DELIVERED, None),
        ("retry", S.SENDING, S.CREATED),
        ("retry", S.PENDING, None),
        ("retry", S.DELIVERED, None),
        ("timeout", S.SENDING, S.TEMPORARY_FAILURE),
        ("timeout", S.PENDING, S.TEMPORARY_FAILURE),
        ("timeout", S.CREATED, None),
        ("timeout", S.DELIVERED, None),
        ("give-up", S.CREATED, S.TECHNICAL_FAILURE),
        ("give-up", S.SENDING, S.TECHNICAL_FAILURE),
        ("give-up", S.PENDING, None),
        # An acceptance recorded after the sweep handed the attempt back
        # takes the notification before the resend does, and only then.
        ("accepted-late", S.CREATED, S.SENDING),
        ("accepted-late", S.SENDING, None),
        ("accepted-late", S.TECHNICAL_FAILURE, None),
        ("accepted-late", S.DELIVERED, None),
    ],
)
def test_pipeline_events(event, current, expected):
    for channel in ("email", "sms"):
        assert next_status(channel=channel, current=current, event=event) == expected


def test_rejection_ends_only_a_send_in_flight():
    for reported in (S.PERMANENT_FAILURE, S.TECHNICAL_FAILURE):
        assert (
            next_status(
                channel="sms", current=S.SENDING, event="rejected", reported=reported
            )
            == reported
        )
        assert (
            next_status(
                channel="sms", current=S.PENDING, event="rejected", reported=reported
            )
            is None
        )
    assert (
        next_status(
            channel="sms", current=S.SENDING, event="rejected", reported=S.DELIVERED
        )
        is None
    )


def test_unknown_event_is_refused():
    with pytest.raises(ValueError, match="unknown event"):
        next_status(channel="email", current=S.CREATED, event="teleport")
