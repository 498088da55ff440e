"""`xieshang scheduler`: runs the periodic jobs of `xieshang.core.scheduler.jobs()` (core's and the apps').

Every minute (on the minute) it runs the jobs whose current time slot no copy has run yet. Any
number of copies may run, on one machine or several: each slot of each job runs once in all
(see xieshang/core/scheduler.py). SIGTERM or Ctrl+C stops it after the job that is running.
"""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone


def close_old_connections() -> None:
    """Django's close_old_connections (drop broken or expired connections between ticks, as between
    requests), leaving alone a connection inside a transaction (a test's)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


class Command(BaseCommand):
    help = "Run the periodic jobs (reminders, overdue marking, clean-ups); safe to run several copies."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run the jobs that are due now, then exit.")
        parser.add_argument("--job", action="append", dest="jobs", metavar="NAME",
                            help="Only this job (may be repeated).")
        parser.add_argument("--interval", type=float, default=60.0,
                            help="Seconds between two looks at the schedule (default: 60, on the minute).")
        parser.add_argument("--list", action="store_true", help="List the jobs and their current slots, then exit.")

    def handle(self, *args, **options):
        from xieshang.core import scheduler

        self.verbosity, self.once = options["verbosity"], options["once"]
        names = {job.name for job in scheduler.jobs()}
        unknown = set(options["jobs"] or ()) - names
        if unknown:
            raise CommandError(f"Unknown job(s): {', '.join(sorted(unknown))}. Known: {', '.join(sorted(names))}.")
        if options["interval"] <= 0:
            raise CommandError("--interval must be more than zero.")
        if options["list"]:
            now = timezone.now()
            for job in scheduler.jobs():
                available = "yes" if scheduler.resolve(job.path) is not None else "NOT AVAILABLE"
                self.stdout.write(
                    f"{job.name:28} every {job.every}  slot {timezone.localtime(job.slot(now)):%Y-%m-%d %H:%M}  "
                    f"{job.path} ({available})"
                )
            return
        if options["once"]:
            self._tick(options["jobs"])
            return

        self.running = True

        def stop(signum, frame):
            self.running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"Xieshang scheduler: {len(names)} jobs, looking every {options['interval']:g} s.")
        while self.running:
            self._tick(options["jobs"])
            interval = options["interval"]
            wake = (time.time() // interval + 1) * interval  # on the minute: copies look at the same time
            while self.running and time.time() < wake:
                time.sleep(min(1.0, max(0.0, wake - time.time())))
        self.stdout.write("Xieshang scheduler stopped.")

    def _tick(self, only):
        from xieshang.core import scheduler

        close_old_connections()
        try:
            outcomes = scheduler.run_due(only=only)
        except Exception as exc:  # noqa: BLE001 - the database may be down for a moment; try next minute
            scheduler.logger.exception("Scheduler tick failed")
            self.stderr.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} scheduler: {exc.__class__.__name__}: {exc}")
            close_old_connections()
            return
        finally:
            close_old_connections()
        # A loop reports what ran; --once reports everything (taken, unavailable too).
        shown = [f"{name}: {outcome}" for name, outcome in outcomes if self.once or outcome in ("done", "failed")]
        if shown and self.verbosity >= 1:
            self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} " + "; ".join(shown))
        return outcomes
