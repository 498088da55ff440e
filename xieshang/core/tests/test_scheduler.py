"""The scheduler of periodic jobs: slots, one run per slot across copies, retries, recovery of
lost deliveries, and the `xieshang scheduler` command."""

import datetime
import io
import logging
import threading
import zoneinfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from xieshang.core import scheduler
from xieshang.core.models import Delivery, JobRun
from xieshang.core.scheduler import Job

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CALLS: list[str] = []


def count_call():
    CALLS.append("called")
    return "counted"


def fail_call():
    CALLS.append("failed")
    raise RuntimeError("the job broke")


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def use_jobs(settings, *jobs):
    settings.XIESHANG_PERIODIC_JOBS = list(jobs)


QUARTER = datetime.timedelta(minutes=15)
COUNT = Job("test.count", "xieshang.core.tests.test_scheduler.count_call", QUARTER)
FAIL = Job("test.fail", "xieshang.core.tests.test_scheduler.fail_call", QUARTER)


# --- Slots ---------------------------------------------------------------------------------------


def test_slots_are_cut_from_local_midnight():
    assert COUNT.slot(at(2026, 3, 2, 9, 44, 59)) == at(2026, 3, 2, 9, 30)
    assert COUNT.slot(at(2026, 3, 2, 9, 45)) == at(2026, 3, 2, 9, 45)
    nightly = Job("n", "x.y", datetime.timedelta(days=1), offset=datetime.timedelta(hours=3))
    assert nightly.slot(at(2026, 3, 2, 2, 59)) == at(2026, 3, 1, 3, 0)
    assert nightly.slot(at(2026, 3, 2, 3, 0)) == at(2026, 3, 2, 3, 0)
    assert nightly.slot(at(2026, 3, 2, 23, 0)) == at(2026, 3, 2, 3, 0)
    assert COUNT.slot(at(2026, 3, 2, 9, 44)).tzinfo == datetime.timezone.utc


@pytest.mark.parametrize("every", [datetime.timedelta(seconds=30), datetime.timedelta(minutes=7), datetime.timedelta(days=2)])
def test_a_period_must_divide_the_day(every):
    with pytest.raises(ValueError):
        Job("bad", "x.y", every)


def test_the_default_schedule_is_valid_and_its_core_jobs_import():
    names = [job.name for job in scheduler.jobs()]
    assert len(names) == len(set(names))
    assert "proposals.periodic" in names
    for job in scheduler.jobs():
        if job.path.startswith("xieshang.core."):
            assert callable(scheduler.resolve(job.path))


# --- One run per slot ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_slot_runs_once_and_the_next_slot_runs_again(settings):
    use_jobs(settings, COUNT)
    now = at(2026, 3, 2, 9, 31)
    assert scheduler.run_due(now) == [("test.count", "done")]
    assert scheduler.run_due(now + datetime.timedelta(minutes=13)) == [("test.count", "taken")]
    assert CALLS == ["called"]
    assert scheduler.run_due(now + datetime.timedelta(minutes=14)) == [("test.count", "done")]
    assert CALLS == ["called", "called"]
    runs = list(JobRun.objects.order_by("slot").values_list("slot", "status", "attempts", "result"))
    assert runs == [(at(2026, 3, 2, 9, 30), "done", 1, "counted"), (at(2026, 3, 2, 9, 45), "done", 1, "counted")]


@pytest.mark.django_db(transaction=True)
def test_copies_running_at_the_same_moment_run_a_slot_once(settings):
    if connection.vendor == "sqlite":
        # The test database is SQLite in shared-cache memory, whose table locks fail at once
        # ("database table is locked") instead of waiting; a file database waits (busy_timeout).
        # Covered here on PostgreSQL, and by the two-process test on SQLite files.
        pytest.skip("threads on in-memory shared-cache SQLite")
    use_jobs(settings, COUNT)
    now = at(2026, 3, 2, 9, 31)
    copies = 4
    barrier = threading.Barrier(copies)
    outcomes, errors = [], []

    def copy():
        try:
            barrier.wait(timeout=10)
            outcomes.extend(scheduler.run_due(now))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=copy) for _ in range(copies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sorted(o for _, o in outcomes) == ["done"] + ["taken"] * (copies - 1)
    assert CALLS == ["called"]
    assert JobRun.objects.count() == 1


@pytest.mark.django_db
def test_a_failed_run_is_retried_within_its_slot_a_few_times(settings, caplog):
    use_jobs(settings, FAIL)
    start = at(2026, 3, 2, 9, 30)
    minutes = datetime.timedelta(minutes=1)

    def run_at(offset: int):
        outcome = scheduler.run_due(start + offset * minutes)
        if outcome == [("test.fail", "failed")]:  # it failed "then", not at the real time of the test
            JobRun.objects.update(finished_at=start + offset * minutes)
        return outcome

    with caplog.at_level(logging.ERROR, logger="xieshang.scheduler"):
        assert run_at(0) == [("test.fail", "failed")]
    assert "test.fail failed" in caplog.text
    run = JobRun.objects.get()
    assert run.status == "failed" and "the job broke" in run.result
    assert run_at(4) == [("test.fail", "taken")]  # RETRY_AFTER (5 minutes) after the failure at the earliest
    assert run_at(5) == [("test.fail", "failed")]
    assert run_at(9) == [("test.fail", "taken")]
    assert run_at(10) == [("test.fail", "failed")]
    assert run_at(14) == [("test.fail", "taken")]  # MAX_ATTEMPTS reached
    assert JobRun.objects.get().attempts == scheduler.MAX_ATTEMPTS == 3
    assert CALLS == ["failed"] * 3
    assert run_at(15) == [("test.fail", "failed")]  # the next slot tries again


@pytest.mark.django_db
def test_a_run_whose_scheduler_died_is_taken_over_after_its_stale_time(settings):
    job = Job("test.count", COUNT.path, QUARTER, stale_after=datetime.timedelta(minutes=10))
    use_jobs(settings, job)
    start = at(2026, 3, 2, 9, 30)
    JobRun.objects.create(job=job.name, slot=start, started_at=start, host="dead:1")  # "running" for ever
    assert scheduler.run_due(start + datetime.timedelta(minutes=9)) == [("test.count", "taken")]
    assert scheduler.run_due(start + datetime.timedelta(minutes=10)) == [("test.count", "done")]
    run = JobRun.objects.get()
    assert (run.status, run.attempts, CALLS) == ("done", 2, ["called"])


@pytest.mark.django_db
def test_a_job_that_does_not_import_is_skipped_and_logged_once(settings, caplog):
    use_jobs(settings, Job("test.missing", "xieshang.nothing_here.tasks.run", QUARTER), COUNT)
    scheduler._unavailable_logged.discard("xieshang.nothing_here.tasks.run")
    with caplog.at_level(logging.WARNING, logger="xieshang.scheduler"):
        first = scheduler.run_due(at(2026, 3, 2, 9, 31))
        second = scheduler.run_due(at(2026, 3, 2, 9, 46))
    assert first == [("test.missing", "unavailable"), ("test.count", "done")]
    assert second == [("test.missing", "unavailable"), ("test.count", "done")]
    assert caplog.text.count("xieshang.nothing_here.tasks.run") == 1
    assert not JobRun.objects.filter(job="test.missing").exists()


@pytest.mark.django_db
def test_a_task_is_enqueued_for_the_worker_instead_of_run(settings):
    from xieshang.core.tasks import deliver_notification

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    use_jobs(settings, Job("test.task", "xieshang.core.tasks.deliver_notification", QUARTER))
    assert scheduler.run_due(at(2026, 3, 2, 9, 31)) == [("test.task", "done")]
    assert JobRun.objects.get().result.startswith("enqueued ")
    assert len(deliver_notification.get_backend().results) == 1


@pytest.mark.django_db
def test_the_command_runs_the_due_jobs_once(settings):
    use_jobs(settings, COUNT, FAIL)
    out = io.StringIO()
    call_command("scheduler", "--once", "--job", "test.count", stdout=out)
    assert "test.count: done" in out.getvalue() and "test.fail" not in out.getvalue()
    call_command("scheduler", "--once", stdout=out)
    assert "test.count: taken" in out.getvalue() and "test.fail: failed" in out.getvalue()
    assert CALLS == ["called", "failed"]
    out = io.StringIO()
    call_command("scheduler", "--list", stdout=out)
    assert "test.count" in out.getvalue() and "every 0:15:00" in out.getvalue()


def test_the_command_refuses_an_unknown_job(settings):
    from django.core.management.base import CommandError

    use_jobs(settings, COUNT)
    with pytest.raises(CommandError, match="Unknown job"):
        call_command("scheduler", "--once", "--job", "nope")


# --- Recovery of lost deliveries -------------------------------------------------------------------


@pytest.fixture
def db_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.XIESHANG_TASK_STALE_SECONDS = 600
    settings.XIESHANG_REDELIVER_AFTER_SECONDS = 120


def _notification(make_user, title, *, minutes_ago=0):
    from xieshang.core.models import Notification

    user = make_user(phone="13900000000")
    note = Notification.objects.create(recipient=user, kind="t", title=title)
    Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))
    Delivery.objects.create(notification=note, channel="sms", address=user.phone)
    return note


def _tasks(note_id=None, status=None):
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path=scheduler.DELIVER_TASK_PATH)
    if status:
        rows = rows.filter(status=status)
    return [r for r in rows if note_id is None or r.args_kwargs["args"] == [note_id]]


@pytest.mark.django_db
def test_recovery_requeues_deliveries_nobody_will_send(make_user, db_queue):
    from xieshang.core.tasks import deliver_notification

    orphan = _notification(make_user, "orphan", minutes_ago=10)  # its enqueue was lost
    queued = _notification(make_user, "queued", minutes_ago=10)
    deliver_notification.enqueue(queued.pk)
    fresh = _notification(make_user, "fresh", minutes_ago=0)  # its enqueue may still come
    lost = _notification(make_user, "lost", minutes_ago=30)
    deliver_notification.enqueue(lost.pk)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=_tasks(lost.pk)[0].pk).update(
        status="RUNNING", started_at=timezone.now() - datetime.timedelta(minutes=11), worker_ids=["gone"])

    assert scheduler.recover_deliveries() == "lost tasks 1, requeued 2"
    assert len(_tasks(orphan.pk, "READY")) == 1
    assert len(_tasks(queued.pk)) == 1
    assert _tasks(fresh.pk) == []
    (old,) = _tasks(lost.pk, "FAILED")
    assert old.exception_class_path.endswith("WorkerLost")
    assert len(_tasks(lost.pk, "READY")) == 1
    # A second run finds nothing more to do.
    assert scheduler.recover_deliveries() == "lost tasks 0, requeued 0"


@pytest.mark.django_db
def test_recovery_leaves_a_task_that_is_still_running_recently(make_user, db_queue):
    from django_tasks_db.models import DBTaskResult

    from xieshang.core.tasks import deliver_notification

    note = _notification(make_user, "busy", minutes_ago=30)
    deliver_notification.enqueue(note.pk)
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - datetime.timedelta(minutes=2))
    assert scheduler.recover_deliveries() == "lost tasks 0, requeued 0"
    assert [t.status for t in _tasks(note.pk)] == ["RUNNING"]


@pytest.mark.django_db
def test_a_requeued_delivery_is_sent_once(make_user, db_queue):
    from django_tasks_db.models import DBTaskResult

    from xieshang.core.sms import LocmemSmsBackend
    from xieshang.core.tasks import deliver_notification

    note = _notification(make_user, "twice queued", minutes_ago=10)
    deliver_notification.enqueue(note.pk)
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - datetime.timedelta(hours=1))
    scheduler.recover_deliveries()
    deliver_notification.call(note.pk)  # the recovered task
    deliver_notification.call(note.pk)  # and the lost one, had its worker come back after all
    assert LocmemSmsBackend.outbox == [("13900000000", "twice queued")]
    assert Delivery.objects.get(notification=note).status == "sent"


@pytest.mark.django_db
def test_recovery_requeues_a_sending_delivery_only_once_its_claim_is_stale(make_user, db_queue):
    """A delivery left "sending" by a task marked lost: while its claim is younger than
    XIESHANG_TASK_STALE_SECONDS (the slow task may still be sending) no new task is queued; after, one is,
    and it sends with the same idempotency key."""
    from django_tasks_db.models import DBTaskResult

    from xieshang.core.sms import LocmemSmsBackend
    from xieshang.core.tasks import deliver_notification

    note = _notification(make_user, "slow", minutes_ago=30)
    deliver_notification.enqueue(note.pk)
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - datetime.timedelta(minutes=11))
    rows = Delivery.objects.filter(notification=note)
    rows.update(status="sending", idempotency_key="k1", attempts=1, claimed_at=timezone.now() - datetime.timedelta(minutes=9))
    assert scheduler.recover_deliveries() == "lost tasks 1, requeued 0"
    assert deliver_notification.call(note.pk) == "nothing"  # a stray run leaves it alone as well

    rows.update(claimed_at=timezone.now() - datetime.timedelta(minutes=11))
    assert scheduler.recover_deliveries() == "lost tasks 0, requeued 1"
    deliver_notification.call(note.pk)
    assert LocmemSmsBackend.outbox == [("13900000000", "slow")] and LocmemSmsBackend.keys == ["k1"]


@pytest.mark.django_db
def test_recovery_does_nothing_without_a_database_queue(make_user):
    _notification(make_user, "immediate", minutes_ago=10)
    assert scheduler.recover_deliveries() == "not a database queue"


@pytest.mark.django_db
def test_old_job_runs_and_task_results_are_pruned(db_queue):
    from django_tasks_db.models import DBTaskResult

    from xieshang.core.tasks import deliver_notification

    now = timezone.now()
    JobRun.objects.create(job="a", slot=now - datetime.timedelta(days=31), started_at=now)
    JobRun.objects.create(job="a", slot=now - datetime.timedelta(days=1), started_at=now)
    for _ in range(3):
        deliver_notification.enqueue(1)
    ids = list(DBTaskResult.objects.values_list("id", flat=True))
    DBTaskResult.objects.filter(id=ids[0]).update(status="SUCCESSFUL", finished_at=now - datetime.timedelta(days=15))
    DBTaskResult.objects.filter(id=ids[1]).update(status="FAILED", finished_at=now - datetime.timedelta(days=15))
    assert scheduler.prune_job_runs() == "deleted 1"
    assert scheduler.prune_task_results() == "deleted 1"
    assert set(DBTaskResult.objects.values_list("id", flat=True)) == set(ids[1:])


def test_optimize_database_keeps_sqlite_statistics(db):
    """The nightly job gives SQLite's planner statistics (PostgreSQL's autovacuum keeps its own)."""
    from django.db import connection

    result = scheduler.optimize_database()
    if connection.vendor == "sqlite":
        assert result == "optimized"
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1
    else:
        assert result == "nothing (not SQLite)"
    assert "core.optimize_database" in [job.name for job in scheduler.JOBS]
