"""A production-like cluster on this machine for the integration tests.

Two gunicorn processes (A and B) on free loopback ports, one PostgreSQL scratch database created
and migrated here (dropped at the end), Redis database 15 for cache and sessions, and task workers
started by the tests. Everything talks to 127.0.0.1 only; every wait is bounded.

These tests run only with XIESHANG_INTEGRATION=1 (.ci/run runs them alone, after the main suites):
they start processes and one of them restarts the PostgreSQL server.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENABLED = os.environ.get("XIESHANG_INTEGRATION") == "1"
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
REDIS_URL = "redis://127.0.0.1:6379/15"
DEMO_PASSWORD = "xieshang-demo"

requires_integration = pytest.mark.skipif(not ENABLED, reason="integration tests run with XIESHANG_INTEGRATION=1")


def wait_for(predicate, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll until predicate() is truthy (returns it) or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_admin():
    import psycopg

    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True, connect_timeout=5)


# --- HTTP --------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Http:
    """A browser-like client: keeps cookies (per host, so across ports), never follows redirects."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, method: str, url: str, *, form=None, body=None, headers=None, timeout: float = 15):
        """(status, text, headers); status None when the connection failed."""
        headers = dict(headers or {})
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                return resp.status, resp.read().decode(errors="replace"), resp.headers
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace"), exc.headers
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            return None, str(exc), {}

    def get(self, url, **kw):
        return self.request("GET", url, **kw)

    def post(self, url, **kw):
        return self.request("POST", url, **kw)

    def csrf(self) -> str:
        for cookie in self.jar:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    def sign_in(self, base: str, username: str, password: str = DEMO_PASSWORD):
        status, _, _ = self.get(base + "/login/")
        assert status == 200
        return self.post(base + "/login/", form={"csrfmiddlewaretoken": self.csrf(), "username": username,
                                                 "password": password})


def api_token(base: str, username: str, password: str = DEMO_PASSWORD) -> str:
    status, text, _ = Http().post(base + "/api/v1/auth/token", body={"username": username, "password": password,
                                                                     "name": "integration"})
    assert status == 200, text
    return json.loads(text)["token"]


# --- The cluster ---------------------------------------------------------------------------------


class Cluster:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.db_name = f"xieshang_it_{os.getpid()}"
        self.database_url = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{self.db_name}"
        self.sms_file = tmp / "sms.jsonl"
        self.mail_dir = tmp / "mail"
        self.logs = tmp / "logs"
        self.logs.mkdir()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("XIESHANG_", "PYTEST_")) and k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
        env.update({
            "DJANGO_SETTINGS_MODULE": "xieshang.settings",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": REDIS_URL,
            "XIESHANG_DATA_DIR": str(tmp / "data"),
            "SECRET_KEY": secrets.token_urlsafe(40),
            "DEBUG": "false",
            "XIESHANG_HTTPS": "false",  # plain HTTP on loopback (nginx terminates TLS in production)
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "XIESHANG_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
            "XIESHANG_SMS_BACKEND": "xieshang.core.sms.FileSmsBackend",
            "XIESHANG_SMS_FILE": str(self.sms_file),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "CONN_MAX_AGE": "60",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_TIMEOUT": "30",
            "PYTHONUNBUFFERED": "1",
        })
        self.env = env
        self.servers: dict[str, subprocess.Popen] = {}
        self.urls: dict[str, str] = {}
        self.workers: list[subprocess.Popen] = []

    # processes
    def xieshang(self, *args, env=None, timeout: float = 300, input_text: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "xieshang", *args], cwd=ROOT, env={**self.env, **(env or {})},
            capture_output=True, text=True, timeout=timeout, input=input_text,
        )
        assert result.returncode == 0, f"xieshang {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def shell(self, code: str, env=None) -> str:
        return self.xieshang("shell", "--no-imports", "-c", code, env=env)

    def _spawn(self, name: str, argv: list[str], env=None) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")
        return subprocess.Popen(argv, cwd=ROOT, env={**self.env, **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def start_server(self, name: str, env=None) -> str:
        port = free_port()
        proc = self._spawn(f"web-{name}", [sys.executable, "-m", "gunicorn", "-c", "python:xieshang.gunicorn_conf",
                                           "xieshang.wsgi:application"], env={"BIND": f"127.0.0.1:{port}", **(env or {})})
        url = f"http://127.0.0.1:{port}"
        self.servers[name], self.urls[name] = proc, url

        def up():
            assert proc.poll() is None, f"gunicorn {name} exited:\n{self.log(f'web-{name}')}"
            return Http().get(url + "/login/", timeout=2)[0] == 200

        wait_for(up, 60, 0.2, f"gunicorn {name} on {url}")
        return url

    def start_worker(self, name: str = "worker", env=None) -> subprocess.Popen:
        proc = self._spawn(name, [sys.executable, "-m", "xieshang", "worker", "--interval", "0.2",
                                  "--worker-id", f"{name}-{len(self.workers)}"], env=env)
        self.workers.append(proc)
        return proc

    @staticmethod
    def stop(proc: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 30) -> None:
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-5000:] if path.exists() else ""

    # data
    def sql(self, query: str, params=()):
        import psycopg

        with psycopg.connect(self.database_url, connect_timeout=5) as conn:
            return conn.execute(query, params).fetchall()

    def sms_lines(self) -> list[dict]:
        if not self.sms_file.exists():
            return []
        return [json.loads(line) for line in self.sms_file.read_text().splitlines() if line.strip()]


def _require_services():
    import redis

    try:
        pg_admin().close()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"PostgreSQL at {PG_HOST}:{PG_PORT} is needed: {exc}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"Redis at {REDIS_URL} is needed: {exc}")


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    if not ENABLED:
        pytest.skip("integration tests run with XIESHANG_INTEGRATION=1")
    import redis

    _require_services()
    c = Cluster(tmp_path_factory.mktemp("cluster"))
    r = redis.Redis.from_url(REDIS_URL)
    r.flushdb()
    with pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{c.db_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{c.db_name}"')
    try:
        c.xieshang("migrate", "--noinput")
        c.xieshang("demo", "--core-only")  # the committee, its people and the demo accounts
        # Addresses for the outside channels (the demo people have phones; the accounts need e-mail).
        c.shell(
            "from xieshang.core.models import User\n"
            "for u in User.objects.filter(username__in=['member', 'staff', 'unit']):\n"
            "    u.email = u.username + '@example.org'\n"
            "    u.phone = u.phone or '13900000001'\n"
            "    u.save()\n"
        )
        c.start_server("A")
        c.start_server("B")
        yield c
    finally:
        for proc in c.workers:
            Cluster.stop(proc)
        for proc in c.servers.values():
            Cluster.stop(proc)
        with pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{c.db_name}" WITH (FORCE)')
        r.flushdb()
