"""Reliability (issue #12): the worker survives "database is locked"; an e-mail or SMS leaves only after one
run took its delivery (a conditional UPDATE to "sending" with claimed_at and an idempotency key), so two runs
at once never both send it; a "sending" row is taken again only when stale, with the same key."""

import datetime
import io
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from xieshang.core import services
from xieshang.core.management.commands import worker
from xieshang.core.models import Delivery
from xieshang.core.sms import LocmemSmsBackend
from xieshang.core.tasks import deliver_notification
from xieshang.core.tests.concurrency import postgres_only, run_together
from xieshang.core.tests.factories import UserFactory

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", full_name="阿丽", email="alice@example.org", phone="13900000001")


def _notify(user, deliver=True):
    """A notification on e-mail and SMS, delivered by calling the task as the worker would (a test's
    transaction never commits, so the on-commit enqueue does not run)."""
    notes = services.notify(recipients=[user], kind="probe", title="会议通知", body="明日九时开会。",
                            channels=("email", "sms"))
    if deliver:
        for note in notes:
            deliver_notification.call(note.pk)
    return notes


# --- the worker -----------------------------------------------------------------------------------

@pytest.mark.parametrize("failures", [1, 3, 8])
def test_the_worker_survives_database_is_locked_with_growing_waits(db, settings, monkeypatch, failures):
    settings.TASKS = DB_TASKS
    calls, waits = [], []

    def db_worker(*args, **options):
        calls.append(options)
        if len(calls) <= failures:
            raise OperationalError("database is locked")

    monkeypatch.setattr(worker, "call_command", db_worker)
    monkeypatch.setattr(worker.time, "sleep", waits.append)
    err = io.StringIO()
    call_command("worker", "--batch", stdout=io.StringIO(), stderr=err)
    assert len(calls) == failures + 1  # ran again after each refusal, and returned when the run ended
    assert waits == [worker.BACKOFF_SECONDS[min(i, len(worker.BACKOFF_SECONDS) - 1)] for i in range(failures)]
    assert waits == sorted(waits) and max(waits) <= 30
    assert "database is locked" in err.getvalue()


def test_a_healthy_run_starts_the_backoff_again():
    now = [0.0]
    waits = []
    plan = iter([("fail", 0), ("fail", 0), ("fail", 120), ("ok", 0)])  # the third failed after two healthy minutes

    def run():
        outcome, lasted = next(plan)
        now[0] += lasted
        if outcome == "fail":
            raise OperationalError("database is locked")
        return "done"

    assert worker.survive_database_errors(run, log=lambda _m: None, sleep=waits.append, clock=lambda: now[0]) == "done"
    assert waits == [0.5, 1, 0.5]


def test_other_errors_are_not_swallowed():
    with pytest.raises(ValueError):
        worker.survive_database_errors(lambda: (_ for _ in ()).throw(ValueError("bug")), log=print, sleep=lambda _s: None)


# --- deliveries -----------------------------------------------------------------------------------

def test_a_delivery_is_committed_as_sending_with_its_key_before_it_leaves(alice, monkeypatch):
    seen = []

    def spy(phone, text, *, idempotency_key=None):
        row = Delivery.objects.get(channel="sms")
        seen.append((row.status, row.idempotency_key, idempotency_key))

    monkeypatch.setattr("xieshang.core.tasks.send_sms", spy)
    _notify(alice)
    ((status, stored_key, passed_key),) = seen
    assert status == "sending" and stored_key and passed_key == stored_key
    sms = Delivery.objects.get(channel="sms")
    assert (sms.status, sms.attempts, sms.idempotency_key) == ("sent", 1, stored_key)
    email = Delivery.objects.get(channel="email")
    assert email.status == "sent" and email.idempotency_key and email.idempotency_key != stored_key
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<{email.idempotency_key}@{mail.outbox[0].from_email.rpartition('@')[2]}>"


def test_a_rerun_skips_sent_deliveries(alice):
    (note,) = _notify(alice)
    assert len(mail.outbox) == 1 and len(LocmemSmsBackend.outbox) == 1
    assert deliver_notification.call(note.pk) == "nothing"
    assert len(mail.outbox) == 1 and len(LocmemSmsBackend.outbox) == 1


def test_a_crash_between_sending_and_recording_resends_with_the_same_key_once_stale(alice, monkeypatch):
    """The worker dies after the e-mail left and before the row says "sent": the row stays "sending";
    a run within XIESHANG_TASK_STALE_SECONDS leaves it alone, a later one sends again with the same key."""
    from xieshang.core import tasks

    class Crash(BaseException):
        pass

    def crash_after_send(notification, delivery):
        tasks_send(notification, delivery)
        raise Crash  # the process dies here (a BaseException: not a channel's failure)

    tasks_send = tasks._send
    monkeypatch.setattr(tasks, "_send", crash_after_send)
    with pytest.raises(Crash):
        _notify(alice)
    first = Delivery.objects.get(channel="email")
    assert first.status == "sending" and first.attempts == 1
    key = first.idempotency_key
    assert len(mail.outbox) == 1  # the e-mail left before the crash

    monkeypatch.setattr(tasks, "_send", tasks_send)
    note = first.notification
    # the e-mail's claim is fresh (its run may still be alive): left alone; the SMS the crash never reached is sent
    assert deliver_notification.call(note.pk) == "sms:sent"
    assert len(mail.outbox) == 1
    _age_claims(note)  # XIESHANG_TASK_STALE_SECONDS later: that run is taken to be dead
    deliver_notification.call(note.pk)
    rows = {d.channel: d for d in note.deliveries.all()}
    assert rows["email"].status == "sent" and rows["email"].idempotency_key == key and rows["email"].attempts == 2
    # the repeat carries the same Message-ID (SMTP delivers it all the same: at least once for e-mail)
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {f"<{key}@{mail.outbox[0].from_email.rpartition('@')[2]}>"}
    assert rows["sms"].status == "sent" and len(LocmemSmsBackend.outbox) == 1


def test_an_sms_resent_with_its_key_reaches_the_phone_once(alice):
    (note,) = _notify(alice)
    sms = note.deliveries.get(channel="sms")
    Delivery.objects.filter(pk=sms.pk).update(status="sending")  # as a crash before recording would leave it
    _age_claims(note)
    deliver_notification.call(note.pk)
    sms.refresh_from_db()
    assert sms.status == "sent" and sms.attempts == 2
    assert LocmemSmsBackend.outbox == [("13900000001", "会议通知 明日九时开会。")]
    assert LocmemSmsBackend.keys == [sms.idempotency_key]


def _age_claims(note, seconds=None):
    """Move the claims of the notification's deliveries back past XIESHANG_TASK_STALE_SECONDS (or by `seconds`)."""
    from django.conf import settings

    seconds = settings.XIESHANG_TASK_STALE_SECONDS + 1 if seconds is None else seconds
    Delivery.objects.filter(notification=note).update(claimed_at=timezone.now() - datetime.timedelta(seconds=seconds))


def test_a_second_run_while_the_first_is_sending_sends_nothing(alice, monkeypatch):
    """A second worker (or the task recover_deliveries queued for a slow one) runs while the first is still
    between taking the row and recording it: it leaves the row alone, and the message leaves once."""
    from xieshang.core import tasks

    send, second_run = tasks._send, []

    def slow_send(notification, delivery):
        if not second_run:
            second_run.append(deliver_notification.call(notification.pk))  # runs in the middle of the first
        send(notification, delivery)

    monkeypatch.setattr(tasks, "_send", slow_send)
    (note,) = _notify(alice, deliver=False)
    note.deliveries.filter(channel="email").delete()  # one channel, so the second run has nothing else to take
    assert deliver_notification.call(note.pk) == "sms:sent"
    assert second_run == ["nothing"]
    assert len(LocmemSmsBackend.outbox) == 1
    sms = note.deliveries.get()
    assert (sms.status, sms.attempts) == ("sent", 1)


@pytest.mark.parametrize("age, resent", [(0, False), (599, False), (601, True)])
def test_a_sending_row_is_taken_again_only_when_stale(alice, settings, age, resent):
    settings.XIESHANG_TASK_STALE_SECONDS = 600
    settings.XIESHANG_SMS_BACKEND = f"{__name__}.OldBackend"  # a gateway without keys: a repeat would reach the phone
    OldBackend.sent.clear()
    (note,) = _notify(alice, deliver=False)
    note.deliveries.update(status="sending", idempotency_key="k-before", attempts=1)
    _age_claims(note, age)
    assert deliver_notification.call(note.pk) == ("email:sent,sms:sent" if resent else "nothing")
    assert len(OldBackend.sent) == len(mail.outbox) == int(resent)
    rows = list(note.deliveries.all())
    assert {(d.status, d.attempts, d.idempotency_key) for d in rows} == (
        {("sent", 2, "k-before")} if resent else {("sending", 1, "k-before")})
    if resent:
        assert mail.outbox[0].extra_headers["X-Idempotency-Key"] == "k-before"


def test_a_sending_row_from_before_claims_were_recorded_is_taken(alice):
    (note,) = _notify(alice, deliver=False)
    note.deliveries.filter(channel="sms").update(status="sending", idempotency_key="k-old", claimed_at=None)
    deliver_notification.call(note.pk)
    assert LocmemSmsBackend.keys == ["k-old"] and len(LocmemSmsBackend.outbox) == 1


def test_a_stale_run_that_comes_back_does_not_overwrite_the_new_one(alice, monkeypatch):
    """The first run stalls past the staleness, a second one takes the row and sends it; when the first
    finally fails, its outcome is dropped: the row stays sent and is not queued for a third send."""
    from xieshang.core import tasks

    send, calls = tasks._send, []

    def stalled_then_failing(notification, delivery):
        calls.append(delivery.claimed_at)
        if len(calls) == 1:
            _age_claims(notification)
            monkeypatch.setattr(tasks, "_send", send)
            deliver_notification.call(notification.pk)  # the second run, after the first went stale
            raise OSError("gateway timed out")
        send(notification, delivery)

    monkeypatch.setattr(tasks, "_send", stalled_then_failing)
    (note,) = _notify(alice, deliver=False)
    note.deliveries.filter(channel="email").delete()
    deliver_notification.call(note.pk)
    sms = note.deliveries.get()
    assert (sms.status, sms.attempts, sms.last_error) == ("sent", 2, "")
    assert len(LocmemSmsBackend.outbox) == 1


@postgres_only  # the sequential tests above cover SQLite, where writers run one at a time anyway
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("state", ["pending", "stale"])
def test_two_workers_at_the_same_moment_send_once(settings, state):
    settings.XIESHANG_SMS_BACKEND = f"{__name__}.SlowOldBackend"  # no keys, and slow: the others arrive mid-send
    OldBackend.sent.clear()
    settings.TASKS = DB_TASKS  # notify only queues the task (in a committed test the immediate backend would run it)
    user = UserFactory(phone="13900000001", email="b@example.org")
    (note,) = services.notify(recipients=[user], kind="probe", title="会议通知", body="明日九时开会。", channels=("sms",))
    if state == "stale":
        note.deliveries.update(status="sending", idempotency_key="k-stale", attempts=1)
        _age_claims(note)
    workers = 4
    results = run_together(workers, lambda _i: deliver_notification.call(note.pk))
    assert sorted(results) == ["nothing"] * (workers - 1) + ["sms:sent"], results
    assert len(OldBackend.sent) == 1
    sms = note.deliveries.get()
    assert sms.status == "sent" and sms.attempts == (1 if state == "pending" else 2)
    if state == "stale":
        assert sms.idempotency_key == "k-stale"


def test_a_backend_without_keys_still_works(alice, settings):
    settings.XIESHANG_SMS_BACKEND = f"{__name__}.OldBackend"
    OldBackend.sent.clear()
    _notify(alice)
    assert OldBackend.sent == [("13900000001", "会议通知 明日九时开会。")]


class OldBackend:
    sent: list = []

    def send(self, phone, text):
        OldBackend.sent.append((phone, text))


class SlowOldBackend(OldBackend):
    def send(self, phone, text):
        time.sleep(0.3)
        super().send(phone, text)


def test_the_file_gateway_writes_a_key_once(tmp_path, settings, db, django_capture_on_commit_callbacks):
    from xieshang.core.sms import FileSmsBackend

    settings.XIESHANG_SMS_FILE = str(tmp_path / "sms.jsonl")
    for text, key in (("第一次", "k1"), ("第一次（重发）", "k1"), ("第二条", "k2")):
        with django_capture_on_commit_callbacks(execute=True):
            FileSmsBackend().send("13900000001", text, idempotency_key=key)
    assert [(r["text"], r["key"]) for r in FileSmsBackend.read()] == [("第一次", "k1"), ("第二条", "k2")]


# --- SQLite under concurrent writes (`make run`) -----------------------------------------------------

def test_sqlite_writers_queue_for_20_seconds_instead_of_failing(db):
    """Two requests writing at once on SQLite: the second waits for the lock (taken at BEGIN: IMMEDIATE) up
    to 20 s instead of answering 500 "database is locked"."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (busy_ms,) = cursor.fetchone()
    assert busy_ms >= 20000 and busy_ms >= options["timeout"] * 1000
