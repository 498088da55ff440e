"""`xieshang serve`: production mode on one machine, in the foreground (`make serve`).

Migrates the database, collects the static files (hashed and compressed), then runs and watches:
gunicorn (WEB_CONCURRENCY workers on BIND), the task worker(s) (`xieshang worker`) and the
scheduler (`xieshang scheduler`). A child that exits is started again, after a pause that grows
while it keeps failing (1, 2, 4 … 30 s). Ctrl+C or SIGTERM stops them all cleanly: each gets SIGTERM and finishes
what it is doing; one still running after --grace seconds is killed. A second Ctrl+C kills at once.

On a server, systemd does this job instead (deploy/*.service): the same three programs, one
unit each. Configuration is the environment, as for every `xieshang` command (docs/deployment.md).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

RESTART_WINDOW = 300.0  # seconds: the exits within it set the pause before the next start
MAX_PAUSE = 30.0  # the longest pause (a child that keeps failing is tried every 30 s, like systemd would)


class Child:
    def __init__(self, name: str, argv: list[str], env: dict[str, str]):
        self.name, self.argv, self.env = name, argv, env
        self.process: subprocess.Popen | None = None
        self.exits: list[float] = []
        self.start_after = 0.0

    def start(self) -> None:
        # Own session: Ctrl+C in the terminal reaches the supervisor only, which stops the
        # children in order (gunicorn gets SIGTERM, a graceful stop, not SIGINT, a quick one).
        self.process = subprocess.Popen(self.argv, env=self.env, start_new_session=True)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        if self.alive:
            try:
                self.process.send_signal(signum)
            except ProcessLookupError:
                pass


class Command(BaseCommand):
    help = "Run Xieshang in production mode: gunicorn, task workers and the scheduler, supervised."
    requires_system_checks = []  # `migrate` in a child process runs the checks

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"),
                            help="Address for gunicorn (default: $BIND or 127.0.0.1:8000).")
        parser.add_argument("--web-concurrency", type=int, default=None,
                            help="gunicorn worker processes (default: $WEB_CONCURRENCY or 2 × cores + 1, at most 8).")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("XIESHANG_TASK_WORKERS", "1")),
                            help="Task worker processes (default: $XIESHANG_TASK_WORKERS or 1).")
        parser.add_argument("--no-scheduler", action="store_true", help="Do not run the scheduler here.")
        parser.add_argument("--no-migrate", action="store_true", help="Do not migrate the database first.")
        parser.add_argument("--no-collectstatic", action="store_true", help="Do not collect the static files first.")
        parser.add_argument("--grace", type=float, default=35.0,
                            help="Seconds the children get to stop before they are killed (default: 35).")

    def handle(self, *args, **options):
        if options["workers"] < 0:
            raise CommandError("--workers must be zero or more.")
        if options["web_concurrency"] is not None and options["web_concurrency"] < 1:
            raise CommandError("--web-concurrency must be at least 1.")
        if settings.DEBUG:
            self.stderr.write("Warning: DEBUG is on; production mode should run with DEBUG unset or false.")
        if settings.SESSION_COOKIE_SECURE:
            self.stderr.write("Note: cookies are marked Secure (XIESHANG_HTTPS): sign-in works only through HTTPS "
                              "(nginx in front). To try it over plain HTTP, set XIESHANG_HTTPS=false.")
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "xieshang.settings")
        env["BIND"] = options["bind"]
        if options["web_concurrency"] is not None:
            env["WEB_CONCURRENCY"] = str(options["web_concurrency"])
        python = sys.executable

        if not options["no_migrate"]:
            self._run_step("migrate", [python, "-m", "xieshang", "migrate", "--noinput"], env)
        if not options["no_collectstatic"]:
            self._run_step(
                "collectstatic", [python, "-m", "xieshang", "collectstatic", "--noinput", "-v", "0"],
                {**env, "XIESHANG_COLLECTSTATIC": "1"},
            )

        host = socket.gethostname()
        children = [
            Child("web", [python, "-m", "gunicorn", "-c", "python:xieshang.gunicorn_conf", "xieshang.wsgi:application"], env)
        ]
        for i in range(options["workers"]):
            worker_id = f"{host}-{os.getpid()}-{i + 1}"[-64:]
            children.append(Child(f"worker-{i + 1}", [python, "-m", "xieshang", "worker", "--worker-id", worker_id], env))
        if not options["no_scheduler"]:
            children.append(Child("scheduler", [python, "-m", "xieshang", "scheduler"], env))
        self._supervise(children, options["grace"], options["bind"])

    def _run_step(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.stdout.write(f"== {name}")
        result = subprocess.run(argv, env=env)
        if result.returncode != 0:
            raise CommandError(f"{name} failed (exit code {result.returncode}); not starting.")

    def _supervise(self, children: list[Child], grace: float, bind: str) -> None:
        stopping = {"count": 0}

        def on_signal(signum, frame):
            stopping["count"] += 1
            if stopping["count"] > 1:
                self.stderr.write("Killing the children now.")
                for child in children:
                    child.signal(signal.SIGKILL)

        def on_hup(signum, frame):
            for child in children:  # gunicorn reloads its workers; the others restart
                child.signal(signal.SIGHUP if child.name == "web" else signal.SIGTERM)

        old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        old[signal.SIGHUP] = signal.signal(signal.SIGHUP, on_hup)
        try:
            for child in children:
                child.start()
            names = ", ".join(c.name for c in children)
            self.stdout.write(f"== serving on http://{bind}/ ({names}); Ctrl+C stops")
            while not stopping["count"]:
                time.sleep(0.5)
                now = time.monotonic()
                for child in children:
                    if stopping["count"] or child.alive:
                        continue
                    if child.process is not None:  # it exited: note it once, then restart after a pause
                        rc = child.process.returncode
                        child.process = None
                        # A task worker exits when the database goes away (PostgreSQL restarted):
                        # it is started again, with a pause that grows while it keeps failing.
                        child.exits = [t for t in child.exits if now - t < RESTART_WINDOW] + [now]
                        delay = min(MAX_PAUSE, 2.0 ** (len(child.exits) - 1))
                        child.start_after = now + delay
                        self.stderr.write(f"{child.name} exited (code {rc}); starting it again in {delay:g} s.")
                    elif now >= child.start_after:
                        child.start()
        finally:
            self.stdout.write("== stopping")
            for child in children:
                child.signal(signal.SIGTERM)
            deadline = time.monotonic() + grace
            while any(c.alive for c in children) and time.monotonic() < deadline:
                time.sleep(0.2)
            for child in children:
                if child.alive:
                    self.stderr.write(f"{child.name} did not stop within {grace:g} s; killing it.")
                    child.signal(signal.SIGKILL)
                    child.process.wait(timeout=10)
            for signum, handler in old.items():
                signal.signal(signum, handler)
        self.stdout.write("== stopped")
