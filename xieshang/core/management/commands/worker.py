"""`xieshang worker`: the background worker (notifications, reminders, exports, reports).

A thin wrapper around django-tasks-db's `db_worker`: it checks that the task queue is the
database backend (XIESHANG_TASK_BACKEND), serves every queue named in settings.TASKS by
default, and passes the useful options through. Run one or several per deployment; each
task is claimed by exactly one worker. A database error ("database is locked" on SQLite, a restarting
PostgreSQL) does not stop it: it waits, longer after each failure in a row, and runs on.
"""

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, connections


def _queues(alias: str) -> str:
    return ",".join((settings.TASKS.get(alias) or {}).get("QUEUES") or ["default"])


class Command(BaseCommand):
    help = "Run the background worker of the database task queue (Ctrl+C stops it after the current task)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue-name",
            help="Queues to serve, comma-separated, or '*' for all (default: the QUEUES of the backend in settings.TASKS).",
        )
        parser.add_argument(
            "--interval", type=float, default=1.0,
            help="Seconds to wait when the queue is empty before looking again (default: 1).",
        )
        parser.add_argument("--batch", action="store_true", help="Run every task that is due, then exit (for cron and tests).")
        parser.add_argument("--max-tasks", type=int, help="Exit after this many tasks (a supervisor restarts the worker).")
        parser.add_argument("--backend", default="default", help="The task backend alias in settings.TASKS (default: 'default').")
        parser.add_argument("--worker-id", help="A name for this worker, unique in the pool (default: random).")
        parser.add_argument(
            "--reload", action="store_true",
            help="Restart when the code changes (development only; not with --batch).",
        )

    def handle(self, *args, **options):
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.compat import task_backends

        alias = options["backend"]
        if alias not in settings.TASKS:
            raise CommandError(f"No task backend '{alias}' in settings.TASKS.")
        backend = task_backends[alias]
        if not isinstance(backend, DatabaseBackend):
            raise CommandError(
                f"The task backend '{alias}' is {settings.TASKS[alias]['BACKEND']}; the worker serves only "
                "django_tasks_db.DatabaseBackend (set XIESHANG_TASK_BACKEND=django_tasks_db.DatabaseBackend)."
            )
        if options["interval"] < 0:
            raise CommandError("--interval must be zero or more.")
        if options["max_tasks"] is not None and options["max_tasks"] <= 0:
            raise CommandError("--max-tasks must be more than zero.")

        worker_options = {
            "queue_name": options["queue_name"] or _queues(alias),
            "interval": options["interval"],
            "batch": options["batch"],
            "max_tasks": options["max_tasks"],
            "reload": options["reload"] and not options["batch"],
            # A batch run (cron, tests) starts at once; a long-running worker waits a random
            # moment so that a pool restarted together does not poll in step.
            "startup_delay": not options["batch"],
            "verbosity": options["verbosity"],
            "stdout": self.stdout._out,
            "stderr": self.stderr._out,
        }
        if options["worker_id"]:
            worker_options["worker_id"] = options["worker_id"]
        if options["verbosity"] >= 1 and not options["batch"]:
            self.stdout.write(
                f"Xieshang worker: backend '{alias}', queues {worker_options['queue_name']}, "
                f"polling every {options['interval']:g} s."
            )
        # The backend goes as an argument: db_worker checks it while parsing.
        survive_database_errors(lambda: call_command("db_worker", "--backend", alias, **worker_options),
                                log=self.stderr.write)


# Seconds to wait after the database refused us ("database is locked", a restarting server), growing with each
# failure in a row; the worker never exits because of it.
BACKOFF_SECONDS = (0.5, 1, 2, 5, 10, 30)
# A run that lasted this long before failing starts the backoff again from the first step.
HEALTHY_RUN_SECONDS = 60


def survive_database_errors(run, *, log, sleep=None, clock=None):
    """Call `run` until it returns; on a database error (SQLite's "database is locked", a PostgreSQL restart)
    close the connections, wait (BACKOFF_SECONDS) and run again. Returns what `run` returns."""
    sleep, clock = sleep or time.sleep, clock or time.monotonic
    failures = 0
    while True:
        started = clock()
        try:
            return run()
        except (OperationalError, InterfaceError) as exc:
            if clock() - started >= HEALTHY_RUN_SECONDS:
                failures = 0
            delay = BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)]
            failures += 1
            log(f"Xieshang worker: database error ({str(exc).strip()[:200]}); retrying in {delay:g} s "
                f"({failures} in a row).")
            for connection in connections.all(initialized_only=True):
                if not connection.in_atomic_block:
                    connection.close()  # a fresh one next time (a restarted server, a broken socket)
            sleep(delay)
