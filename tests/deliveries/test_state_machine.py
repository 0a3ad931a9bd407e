"""The status state machine, through the real actions and PostgreSQL.

A hypothesis rule-based machine interleaves claims, provider answers (some
recorded twice, some after the reconciliation sweep closed their attempt),
receipts (duplicated, late, reordered, for unknown references), retries,
relays, reconciliation sweeps and time-outs on one notification. Claims,
answers and receipts go through the per-notification actions and through
the batched ones production uses (``batches.notifications_deliver``, its
claim and its recording of acceptances, ``receipts_apply``). A trigger
logs every status change the database sees, so the checks hold for what
actually happened, not for what an action returned:

- each event changes the status at most once (a step is one event, except
  a whole batch task, a claim then an answer, and a batch of receipts);
- no change goes backwards, except the retry hand-back ``sending →
  created``, and only from a step that ends an attempt;
- driven to the end, every notification reaches a final status, and that
  status ranks at least as high as every final status a receipt reported
  (so the order receipts came in does not matter).
"""

import datetime as dt
import uuid
from unittest import mock

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
from deliveries.actions import batches, sending
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


class ScriptedProvider:
    """The provider a batch is given: only its name counts, since the
    machine scripts its answers."""

    name = PROVIDER


# Rules that claim, record or apply one notification at a time: off in
# the machine that goes through the batched paths only.
one_by_one = precondition(lambda self: self.per_notification)


class NotificationLifecycle(RuleBasedStateMachine):
    """One notification, any interleaving of what can happen to it."""

    service = None
    templates: dict = {}
    per_notification = True

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
        # Attempts the reconciliation sweep closed while their answer was
        # still to come (the worker was cut from the database).
        self.swept_attempts: list[int] = []
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

    def _check_step(self, *, may_hand_back: bool, events: int = 1) -> None:
        changes = self._changes_since_last_step()
        self.status = self._status()
        assert len(changes) <= events, f"{events} event(s) made changes {changes}"
        for old, new in changes:
            handed_back = (old, new) == (S.SENDING, S.CREATED)
            if handed_back:
                assert may_hand_back, "handed back outside an attempt's end"
                continue
            before = progress(self.channel, old)
            after = progress(self.channel, new)
            assert after > before, f"{old} → {new} moves backwards"

    def _receive(self, status: str, reference: str | None) -> None:
        self._store_and_apply(self._event(status, reference))

    def _event(self, status: str, reference: str | None) -> ReceiptEvent:
        return ReceiptEvent(
            provider=PROVIDER,
            provider_event_id=str(uuid.uuid4()),
            provider_reference=reference or "",
            status=status,
            occurred_at=timezone.now(),
            notification_id=None if reference else self.notification_id,
        )

    def _keep(self, result: actions.AttemptResult) -> None:
        self.results.append(result)
        if result.provider_reference:
            self.references.append(result.provider_reference)

    def _store_and_apply(self, event: ReceiptEvent) -> None:
        receipt = actions.receipt_store(event=event)
        assert receipt is not None
        self.events.append(event)
        self.receipt_ids.append(receipt.id)
        applied = actions.receipt_apply(receipt_id=receipt.id)
        if applied.outcome is not None and event.status in FINAL_STATUSES:
            self.reported_final.add(event.status)

    # Rules

    @one_by_one
    @precondition(lambda self: self.status == S.CREATED)
    @rule()
    def claim(self):
        attempt = actions.notification_claim(
            notification_id=self.notification_id, provider=PROVIDER
        )
        assert attempt is not None
        self.open_attempts.append(attempt.id)
        self._check_step(may_hand_back=False)

    @one_by_one
    @precondition(lambda self: self.status == S.CREATED)
    @rule(answer=st.sampled_from(ANSWERS))
    def send(self, answer):
        """A claim and its provider's answer, back to back."""
        self.claim()
        if self.open_attempts:
            self.provider_answers(answer)

    @one_by_one
    @precondition(lambda self: self.open_attempts)
    @rule(answer=st.sampled_from(ANSWERS))
    def provider_answers(self, answer):
        # At most one attempt is open at a time: a claim needs ``created``.
        attempt_id = self.open_attempts.pop()
        result = _result(attempt_id, self.notification_id, answer)
        actions.attempt_record_result(result=result)
        self._keep(result)
        self._check_step(may_hand_back=True)

    @one_by_one
    @precondition(lambda self: self.results and not is_final(self.status))
    @rule(data=st.data())
    def answer_recorded_again(self, data):
        before = self._status()
        actions.attempt_record_result(result=data.draw(st.sampled_from(self.results)))
        assert self._status() == before
        self._check_step(may_hand_back=False)

    @one_by_one
    @rule(status=st.sampled_from(sorted(RECEIPT_STATUSES)), by_reference=st.booleans())
    def receipt(self, status, by_reference):
        reference = self.references[-1] if by_reference and self.references else None
        self._receive(status, reference)
        self._check_step(may_hand_back=False)

    @one_by_one
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
        self.swept_attempts += self.open_attempts
        self.open_attempts.clear()
        self._check_step(may_hand_back=True)

    @precondition(lambda self: self.swept_attempts)
    @rule(answer=st.sampled_from(ANSWERS), batched=st.booleans())
    def answer_after_the_sweep(self, answer, batched):
        """The worker was only cut from the database: its answer comes
        after the sweep closed the attempt (an acceptance is kept as a late
        one and may take the notification back before its resend)."""
        attempt_id = self.swept_attempts.pop()
        result = _result(attempt_id, self.notification_id, answer)
        if batched or not self.per_notification:
            batches._record_all([result])
        else:
            actions.attempt_record_result(result=result)
        self._keep(result)
        self._check_step(may_hand_back=False)

    # Rules through the batched production paths

    def _prepared(self) -> list[tuple]:
        ready = batches._prepare([self.notification_id])
        return [
            (notification, message, ScriptedProvider())
            for notification, message, _ in ready
        ]

    @precondition(lambda self: self.status == S.CREATED)
    @rule()
    def claim_in_batch(self):
        """The batch task's claim: one statement claims and opens the
        attempt."""
        [claimed] = batches._claim(self._prepared())
        self.open_attempts.append(claimed[3].id)
        self._check_step(may_hand_back=False)

    @precondition(lambda self: self.open_attempts)
    @rule(answer=st.sampled_from(ANSWERS))
    def provider_answers_in_batch(self, answer):
        """The batch task's recording: acceptances in one statement, any
        other answer one by one."""
        attempt_id = self.open_attempts.pop()
        result = _result(attempt_id, self.notification_id, answer)
        batches._record_all([result])
        self._keep(result)
        self._check_step(may_hand_back=True)

    @precondition(lambda self: self.results and not is_final(self.status))
    @rule(data=st.data())
    def answer_recorded_again_in_batch(self, data):
        before = self._status()
        result = data.draw(st.sampled_from(self.results))
        batches._record_all([result])
        assert self._status() == before
        self._check_step(may_hand_back=False)

    @precondition(lambda self: self.status == S.CREATED)
    @rule(answer=st.sampled_from(ANSWERS))
    def deliver_batch(self, answer):
        """The whole batch task (``notifications_deliver``), its provider
        call scripted: a claim, then the answer, in one step."""
        results = []

        def call_all(claimed):
            for _, _, _, attempt in claimed:
                results.append(_result(attempt.id, self.notification_id, answer))
            return results

        with (
            mock.patch.object(sending, "_provider_for", lambda n: ScriptedProvider()),
            mock.patch.object(batches, "_call_all", call_all),
        ):
            batches.notifications_deliver(notification_ids=[self.notification_id])
        for result in results:
            self._keep(result)
        changes = self._peek_changes()
        self._check_step(may_hand_back=True, events=2)
        if changes:
            assert changes[0] == (S.CREATED, S.SENDING), f"no claim first: {changes}"

    def _peek_changes(self) -> list[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT old, new FROM status_log "
                "WHERE notification_id = %s AND seq > %s ORDER BY seq",
                [self.notification_id, self.seen_log],
            )
            return cursor.fetchall()

    # ``pending`` drawn half the time, as for receipts in flight: batches of
    # final receipts alone would end most runs before any send.
    @rule(
        statuses=st.lists(
            st.one_of(st.just(S.PENDING), st.sampled_from(sorted(RECEIPT_STATUSES))),
            min_size=1,
            max_size=3,
        ),
        by_reference=st.booleans(),
        replays=st.integers(min_value=0, max_value=2),
    )
    def receipts_in_batch(self, statuses, by_reference, replays):
        """Receipts applied by the batch task (``receipts_apply``): those
        with our id, one per notification, in one statement per status;
        the rest (several for this notification, by reference, replays
        already applied) one by one."""
        reference = self.references[-1] if by_reference and self.references else None
        before = list(self.receipt_ids[-replays:]) if replays else []
        fresh = []
        for status in statuses:
            event = self._event(status, reference)
            receipt = actions.receipt_store(event=event)
            assert receipt is not None
            self.events.append(event)
            self.receipt_ids.append(receipt.id)
            fresh.append((event, receipt.id))
        applied = actions.receipts_apply(
            receipt_ids=[*before, *(receipt_id for _, receipt_id in fresh)]
        )
        for event, receipt_id in fresh:
            matched = applied[receipt_id].outcome is not None
            if matched and event.status in FINAL_STATUSES:
                self.reported_final.add(event.status)
        self._check_step(may_hand_back=False, events=len(statuses))

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
            if self.per_notification:
                self.claim()
            else:
                self.claim_in_batch()
            self.provider_answers_last("temporary-error")
        elif status == S.SENDING and self.open_attempts:
            self.reconciliation_sweep()
        else:
            self.time_out()

    def provider_answers_last(self, answer):
        if not self.open_attempts:
            return
        attempt_id = self.open_attempts.pop()
        result = _result(attempt_id, self.notification_id, answer)
        if self.per_notification:
            actions.attempt_record_result(result=result)
        else:
            batches._record_all([result])
        self._check_step(may_hand_back=True)


class BatchedLifecycle(NotificationLifecycle):
    """The same machine with every claim, provider answer and receipt going
    through the batched paths production uses, so that they get most of
    the steps."""

    per_notification = False


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


@pytest.fixture
def batched_machine(lifecycle_machine):
    return BatchedLifecycle


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
    _run(lifecycle_machine, examples=40)


def test_any_interleaving_through_the_batched_paths_ends_final_without_regressing(
    batched_machine,
):
    _run(batched_machine, examples=30)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_any_interleaving_ends_final_without_regressing_exhaustive(
    lifecycle_machine,
):
    _run(lifecycle_machine, examples=1000)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_any_interleaving_through_the_batched_paths_exhaustive(batched_machine):
    _run(batched_machine, examples=1000)


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
