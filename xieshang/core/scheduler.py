"""Periodic jobs, run by `xieshang scheduler` (reminders, overdue marking, clean-ups).

The schedule is core's own list `JOBS` below plus the jobs the apps declare (`Declarations.jobs`):
a name, the dotted path of a function (or of a django-tasks task, which is then enqueued for the
worker instead of run in the scheduler), and how often. Time is cut into slots of that length, counted from local midnight plus an offset; a job
runs once per slot.

Several copies of the scheduler may run (one per machine, or a spare): before running a job for a
slot, a copy inserts the row `JobRun(job, slot)`; the unique constraint on (job, slot) lets exactly
one insert succeed, and only that copy runs the job. A run that failed may be taken again within
its slot (after RETRY_AFTER, at most MAX_ATTEMPTS times in all), and a run whose scheduler died
(still "running" after its job's `stale_after`) too; that retake is one conditional UPDATE, which
again only one copy wins. Jobs must still be idempotent — notifications they send carry a
`dedupe_key`, so even a job run twice sends no reminder twice.

A path that does not import (an app not deployed yet) is skipped and logged once per process.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import os
import socket
import traceback
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("xieshang.scheduler")

MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)
RETRY_AFTER = datetime.timedelta(minutes=5)
MAX_ATTEMPTS = 3


@dataclasses.dataclass(frozen=True)
class Job:
    name: str
    path: str
    every: datetime.timedelta
    # Where the slots start, from local midnight: e.g. every=DAY, offset=3h runs at 03:00.
    offset: datetime.timedelta = datetime.timedelta(0)
    # A run still "running" this long after it started is taken to be lost (its scheduler died).
    stale_after: datetime.timedelta = datetime.timedelta(hours=1)

    def __post_init__(self):
        if self.every < MINUTE or DAY % self.every:
            raise ValueError(f"{self.name}: 'every' must be at least a minute and divide a day evenly")
        if not datetime.timedelta(0) <= self.offset < DAY:
            raise ValueError(f"{self.name}: 'offset' must be within a day")

    def slot(self, now: datetime.datetime) -> datetime.datetime:
        """The start of the slot that contains `now` (an aware datetime, returned in UTC)."""
        local = timezone.localtime(now)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0) + self.offset
        if start > local:
            start -= DAY
        start += ((local - start) // self.every) * self.every
        return start.astimezone(datetime.timezone.utc)


JOBS: list[Job] = [
    # Deadlines of every kind the apps declare: reminders before, on and after the due date (xieshang.core.deadlines).
    Job("core.deadlines", "xieshang.core.deadlines.run_reminders", datetime.timedelta(minutes=15)),
    # Notifications whose delivery task was lost (a worker killed mid-task, a web process that died
    # between its commit and the enqueue) are queued again.
    Job("core.recover_deliveries", "xieshang.core.scheduler.recover_deliveries", datetime.timedelta(minutes=5)),
    # Housekeeping, at night.
    Job("core.prune_task_results", "xieshang.core.scheduler.prune_task_results", DAY, offset=datetime.timedelta(hours=3)),
    Job("core.prune_job_runs", "xieshang.core.scheduler.prune_job_runs", DAY, offset=datetime.timedelta(hours=3, minutes=10)),
    # SQLite: fresh planner statistics, without which a list may pick an index that makes it sort the
    # whole committee (PostgreSQL's autovacuum does this by itself).
    Job("core.optimize_database", "xieshang.core.scheduler.optimize_database", DAY, offset=datetime.timedelta(hours=3, minutes=20)),
    # Background exports: expired files deleted, exports no worker finished given up (xieshang.core.exports).
    Job("core.prune_exports", "xieshang.core.exports.prune_exports", datetime.timedelta(hours=1), offset=datetime.timedelta(minutes=20)),
]


def jobs() -> list[Job]:
    """The schedule: settings.XIESHANG_PERIODIC_JOBS when set (a list of Job), else core's own JOBS followed by
    the jobs the apps declare (`Declarations.jobs`, read through xieshang.core.registry)."""
    from . import registry

    return list(getattr(settings, "XIESHANG_PERIODIC_JOBS", None) or [*JOBS, *registry.jobs()])


_unavailable_logged: set[str] = set()


def resolve(path: str) -> Callable | None:
    """The function (or task) at `path`, or None when it does not import (logged once)."""
    try:
        return import_string(path)
    except ImportError as exc:
        if path not in _unavailable_logged:
            _unavailable_logged.add(path)
            logger.warning("Periodic job %s is not available yet and is skipped: %s", path, exc)
        return None


def _host() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def claim(job: Job, slot: datetime.datetime, now: datetime.datetime):
    """Take the run of `job` for `slot`, or return None when another copy has it."""
    from .models import JobRun

    try:
        with transaction.atomic():
            return JobRun.objects.create(job=job.name, slot=slot, started_at=now, host=_host())
    except IntegrityError:
        pass
    # The slot is taken. Retake it when that run failed a while ago or was lost; the conditional
    # UPDATE matches for one copy only.
    retake = JobRun.objects.filter(job=job.name, slot=slot, attempts__lt=MAX_ATTEMPTS).filter(
        Q(status=JobRun.Status.FAILED, finished_at__lte=now - RETRY_AFTER)
        | Q(status=JobRun.Status.RUNNING, started_at__lte=now - job.stale_after)
    )
    run = retake.first()
    if run is None:
        return None
    won = JobRun.objects.filter(pk=run.pk, attempts=run.attempts, status=run.status).update(
        status=JobRun.Status.RUNNING, attempts=run.attempts + 1, started_at=now, finished_at=None, host=_host(),
    )
    if not won:
        return None
    run.refresh_from_db()
    return run


def execute(target) -> str:
    """Run a function, or enqueue a django-tasks task for the worker; a short text of the result."""
    from django_tasks.base import Task

    if isinstance(target, Task):
        result = target.enqueue()
        return f"enqueued {result.id}"
    value = target()
    return "" if value is None else str(value)


def run_due(now: datetime.datetime | None = None, only: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """Run every job whose current slot nobody has run yet. Returns (job name, outcome) pairs:
    outcome is "done", "failed", "taken" (another copy has it) or "unavailable"."""
    from .models import JobRun

    now = now or timezone.now()
    only = set(only) if only else None
    outcomes = []
    for job in jobs():
        if only is not None and job.name not in only:
            continue
        target = resolve(job.path)
        if target is None:
            outcomes.append((job.name, "unavailable"))
            continue
        run = claim(job, job.slot(now), now)
        if run is None:
            outcomes.append((job.name, "taken"))
            continue
        try:
            result = execute(target)
        except Exception:  # noqa: BLE001 - one job's failure must not stop the others
            logger.exception("Periodic job %s failed (slot %s, attempt %d)", job.name, run.slot, run.attempts)
            run.status, run.result = JobRun.Status.FAILED, traceback.format_exc()[-4000:]
        else:
            run.status, run.result = JobRun.Status.DONE, result[:4000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "result", "finished_at"])
        outcomes.append((job.name, run.status))
    return outcomes


# --- Jobs of the core app --------------------------------------------------------------------


DELIVER_TASK_PATH = "xieshang.core.tasks.deliver_notification"
RECOVER_BATCH = 500


def recover_deliveries() -> str:
    """Queue again the deliveries that no task will ever send.

    A worker killed in the middle of a task leaves that task "RUNNING" for ever (the database
    queue has no heartbeat), and a web process that dies between its commit and the enqueue of
    `notify` leaves a pending delivery with no task at all. Tasks of `deliver_notification` still
    running XIESHANG_TASK_STALE_SECONDS after they started are marked failed, and every pending
    delivery older than XIESHANG_REDELIVER_AFTER_SECONDS whose notification has no queued or
    running task gets a new one. A delivery left "sending" is queued only once its claim is older than
    the same XIESHANG_TASK_STALE_SECONDS (`tasks.claimable`, the rule the task itself applies): a slow
    run that is still sending keeps its row, so two workers never send it at the same time. A stale
    one is sent again with its idempotency key: once in all through a gateway that accepts keys; with
    SMTP or a gateway without keys, a second time if the lost run had sent it (at least once). The task
    skips a delivery once it is sent.
    """
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from .models import Delivery
    from .tasks import claimable, deliver_notification

    if not isinstance(deliver_notification.get_backend(), DatabaseBackend):
        return "not a database queue"
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.XIESHANG_TASK_STALE_SECONDS)
    lost = DBTaskResult.objects.filter(task_path=DELIVER_TASK_PATH, status="RUNNING", started_at__lt=stale)
    lost_count = lost.update(
        status="FAILED", finished_at=now, exception_class_path="xieshang.core.scheduler.WorkerLost",
        traceback="The worker running this task stopped before it finished (recovered by core.recover_deliveries).",
    )
    if lost_count:
        logger.warning("Marked %d delivery task(s) of lost workers as failed", lost_count)

    older = now - datetime.timedelta(seconds=settings.XIESHANG_REDELIVER_AFTER_SECONDS)
    pending = set(
        Delivery.objects.filter(claimable(now), notification__created_at__lte=older)
        .values_list("notification_id", flat=True)
        .distinct()
        .order_by("notification_id")[:RECOVER_BATCH]
    )
    if not pending:
        return f"lost tasks {lost_count}, requeued 0"
    queued = set()
    live = DBTaskResult.objects.filter(task_path=DELIVER_TASK_PATH, status__in=["READY", "RUNNING"])
    for args_kwargs in live.values_list("args_kwargs", flat=True).iterator():
        args = (args_kwargs or {}).get("args") or []
        if args:
            queued.add(args[0])
    orphans = sorted(pending - queued)
    for notification_id in orphans:
        deliver_notification.enqueue(notification_id)
    if orphans:
        logger.warning("Queued the delivery of %d notification(s) again", len(orphans))
    return f"lost tasks {lost_count}, requeued {len(orphans)}"


def prune_task_results() -> str:
    """Delete finished task results: successful ones after 14 days, failed ones after 30."""
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    deleted, _ = DBTaskResult.objects.filter(
        Q(status="SUCCESSFUL", finished_at__lt=now - 14 * DAY) | Q(status="FAILED", finished_at__lt=now - 30 * DAY)
    ).delete()
    return f"deleted {deleted}"


def optimize_database() -> str:
    """SQLite: ANALYZE every table, reading at most 1,000 rows of each index (`analysis_limit`, as SQLite
    recommends: milliseconds, also at a million proposals); nothing on PostgreSQL, whose autovacuum keeps
    them. (`PRAGMA optimize` would only look at the tables this connection has used.)"""
    from django.db import connection

    if connection.vendor != "sqlite":
        return "nothing (not SQLite)"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit = 1000")
        cursor.execute("ANALYZE")
    return "optimized"


def prune_job_runs() -> str:
    """Delete the records of job runs older than 30 days."""
    from .models import JobRun

    deleted, _ = JobRun.objects.filter(slot__lt=timezone.now() - 30 * DAY).delete()
    return f"deleted {deleted}"
