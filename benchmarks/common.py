"""Shared machinery of the benchmarks: the database to use, the data set, a gunicorn server on a
free loopback port, sessions and API tokens for generated users, a threaded HTTP load generator,
and the output (a readable table, then one JSON line).

Only 127.0.0.1; every loop is bounded by a time or a count. Each benchmark script is run as

    python benchmarks/bench_x.py --db sqlite|postgres --size N

and prepares its own environment before Django is set up: SQLite lives in
benchmarks/results/data-<size>/ (git-ignored), PostgreSQL in the database `xieshang_bench_<size>`.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_URL = os.environ.get("BENCH_PG_URL", "")  # default: one database per size, xieshang_bench_<size>
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
DEFAULT_SIZE = int(os.environ.get("BENCH_SIZE", "10000"))
PREFIX = "bench"


# --- Arguments and environment -----------------------------------------------------------------


def add_common_args(parser) -> None:
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="proposals in the data set")
    parser.add_argument("--json-out", help="also write the JSON line to this file")


def db_env(db: str, size: int) -> dict:
    """The environment variables that select the benchmark storage (never the `test` database)."""
    env = {"XIESHANG_HTTPS": "false", "LOG_LEVEL": "ERROR", "XIESHANG_DATA_DIR": str(RESULTS / f"data-{size}")}
    if db == "postgres":
        env["DATABASE_URL"] = pg_url(size)
        env["XIESHANG_DATA_DIR"] = str(RESULTS / "data-pg")
        if redis_reachable():
            env["REDIS_URL"] = REDIS_URL
    return env


def setup(db: str, size: int, settings: str = "benchmarks.settings_bench") -> dict:
    """Point this process at the benchmark storage and set Django up. Returns the environment used."""
    env = db_env(db, size)
    os.environ.update(env)
    if db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    Path(env["XIESHANG_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return env


def _port_open(host: str, port: int) -> bool:
    with contextlib.closing(socket.socket()) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def pg_reachable() -> bool:
    if not _port_open("127.0.0.1", 5432):
        return False
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), connect_timeout=2):
            return True
    except Exception:
        return False


def redis_reachable() -> bool:
    return _port_open("127.0.0.1", 6379)


def pg_url(size: int) -> str:
    """The PostgreSQL benchmark database of this size (BENCH_PG_URL overrides it for every size)."""
    return PG_URL or f"postgres://postgres@127.0.0.1:5432/xieshang_bench_{size}"


def ensure_pg_database(size: int) -> None:
    import psycopg

    name = pg_url(size).rsplit("/", 1)[1]
    assert name != "test", "never the test database"
    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def run(cmd: list[str], env: dict, timeout: int = 3600) -> str:
    full = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    if "DATABASE_URL" not in env:
        full.pop("DATABASE_URL", None)
    out = subprocess.run(cmd, cwd=ROOT, env=full, capture_output=True, text=True, timeout=timeout)
    if out.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    return out.stdout


def prepare_data(db: str, size: int, prefix: str = PREFIX, extra: list[str] | None = None) -> dict | None:
    """Migrate the benchmark storage and generate the data set unless it is there already.
    Returns the generator's JSON (None when the data was already there)."""
    env = db_env(db, size)
    if db == "postgres":
        ensure_pg_database(size)
    Path(env["XIESHANG_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    run([str(BIN / "xieshang"), "migrate", "--noinput"], env)
    from xieshang.core.models import Committee
    from xieshang.proposals.models import Proposal

    have = Proposal.objects.filter(committee__code__startswith=f"{prefix}-").count()
    if have == size and Committee.objects.filter(code=f"{prefix}-0000").exists():
        # data generated before the search index existed, or changed since: index what is missing
        run([str(BIN / "xieshang"), "search_reindex", "--stale"], env, timeout=4 * 3600)
        return None
    out = run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--proposals", str(size), "--prefix", prefix,
               *(extra or [])], env, timeout=4 * 3600)
    _forget_cached(db)
    return json.loads(out.strip().splitlines()[-1])


def _forget_cached(db: str) -> None:
    """New data: the cached users, roles, timers and option lists of the old data set (the same ids may
    be taken again) must go. SQLite: the data directory's own file cache. PostgreSQL: the benchmark's
    keys in Redis (only those: the database may be shared)."""
    from django.core.cache import cache

    if db == "sqlite":
        cache.clear()
    elif redis_reachable():
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter("xieshang:*", count=1000):
            client.delete(key)


# --- Users, sessions, tokens -------------------------------------------------------------------


def user(username: str):
    from xieshang.core.models import User

    return User.objects.get(username=username)


def session_cookie(u, committee_id: int) -> str:
    """A signed-in session for `u` (written straight into the session store: no password hashing)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from xieshang.core.middleware import SESSION_KEY as COMMITTEE_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(u.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = u.get_session_auth_hash()
    store[COMMITTEE_KEY] = committee_id
    store.set_expiry(3600)
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def api_token(u) -> str:
    import datetime

    from django.utils import timezone

    from xieshang.api.models import ApiToken
    from xieshang.api.services import TOKEN_PREFIX, hash_token

    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=u, name="bench", prefix=raw[:10], key_hash=hash_token(raw),
                            expires_at=timezone.now() + datetime.timedelta(hours=6))
    return raw


# --- The server ------------------------------------------------------------------------------


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_workers() -> int:
    """The number of web processes `xieshang serve` and deploy/ start here (xieshang/gunicorn_conf.py)."""
    from xieshang import gunicorn_conf

    return gunicorn_conf.workers


class Server:
    """gunicorn on 127.0.0.1:<free port> against the benchmark storage. By default as deployed
    (xieshang/gunicorn_conf.py): sync workers, 2 × cores + 1 of them. `threads` > 1 runs gthread
    workers instead (the session 1 and 2 figures were taken with 2 workers × 4 threads)."""

    def __init__(self, env: dict, workers: int | None = None, threads: int = 1,
                 settings: str = "benchmarks.settings_bench", log: Path | None = None):
        self.env = {**env, "DJANGO_SETTINGS_MODULE": settings}
        self.workers, self.threads = workers or production_workers(), threads
        self.port = free_port()
        self.log = log or RESULTS / "gunicorn.log"
        self.proc = None

    def __enter__(self) -> "Server":
        full = {**os.environ, **self.env, "PYTHONPATH": str(ROOT)}
        if "DATABASE_URL" not in self.env:
            full.pop("DATABASE_URL", None)
        RESULTS.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "xieshang.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--threads", str(self.threads),
             "--worker-class", "gthread" if self.threads > 1 else "sync",
             "--backlog", "2048", "--timeout", "120", "--keep-alive", "30", "--log-level", "warning"],
            cwd=ROOT, env=full, stdout=self._log, stderr=self._log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}); see {self.log}")
            try:
                status, _ = request(self.port, "GET", "/_bench/bare/")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise SystemExit("gunicorn did not start within 60 s")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


# --- HTTP ------------------------------------------------------------------------------------


def request(port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None,
            conn: http.client.HTTPConnection | None = None, timeout: float = 60):
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, data
    finally:
        if own:
            conn.close()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def load(port: int, path: str, headers: dict, seconds: float, concurrency: int, warmup: int = 3,
         raw: bool = False) -> dict:
    """GET `path` from `concurrency` threads (keep-alive connections) for `seconds`: rps and latency
    (with `raw`, also the latencies and the elapsed time, for `load_interleaved`)."""
    for _ in range(warmup):
        status, _ = request(port, "GET", path, headers)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status} during warm-up")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad = [], 0
        while time.monotonic() < stop:
            t = time.perf_counter()
            try:
                status, _ = request(port, "GET", path, headers, conn=conn)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            mine.append(time.perf_counter() - t)
            bad += status != 200
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - started
    if raw:
        return {"latencies": latencies, "errors": errors[0], "elapsed": elapsed}
    return _load_figures(latencies, errors[0], elapsed)


def _load_figures(latencies: list[float], errors: int, elapsed: float) -> dict:
    return {"requests": len(latencies), "errors": errors, "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 50) * 1000, 1), "p95_ms": round(percentile(latencies, 95) * 1000, 1)}


def load_interleaved(port: int, targets: list[tuple[str, dict]], seconds: float, concurrency: int,
                     rounds: int = 5) -> list[dict]:
    """`load` of each (path, headers) for `seconds` in all, in `rounds` slices taken in turn, so that a
    busy spell of the machine (other processes on the same cores) falls on every page alike and the
    ratios between pages stay meaningful. One result per target, in order."""
    got = [{"latencies": [], "errors": 0, "elapsed": 0.0} for _ in targets]
    for round_ in range(rounds):
        for i, (path, headers) in enumerate(targets):
            part = load(port, path, headers, seconds / rounds, concurrency, warmup=3 if round_ == 0 else 0, raw=True)
            got[i]["latencies"] += part["latencies"]
            got[i]["errors"] += part["errors"]
            got[i]["elapsed"] += part["elapsed"]
    return [_load_figures(g["latencies"], g["errors"], g["elapsed"]) for g in got]


# --- Output ----------------------------------------------------------------------------------


def machine() -> dict:
    mem_kb = 0
    with contextlib.suppress(OSError):
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    import sqlite3

    info = {"nproc": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "platform": platform.platform()}
    with contextlib.suppress(Exception):
        import django

        info["django"] = django.get_version()
    with contextlib.suppress(Exception):
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                info["postgresql"] = cursor.fetchone()[0]
    return info


def print_table(title: str, rows: list[dict], columns: list[str]) -> None:
    print(f"\n{title}")
    widths = {c: max(len(c), *(len(_fmt(r.get(c))) for r in rows)) if rows else len(c) for c in columns}
    print("  ".join(c.ljust(widths[c]) if i == 0 else c.rjust(widths[c]) for i, c in enumerate(columns)))
    for r in rows:
        print("  ".join(_fmt(r.get(c)).ljust(widths[c]) if i == 0 else _fmt(r.get(c)).rjust(widths[c])
                        for i, c in enumerate(columns)))


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def emit(result: dict, json_out: str | None = None) -> None:
    line = json.dumps(result, ensure_ascii=False, default=str)
    print(line)
    if json_out:
        Path(json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(json_out).write_text(line + "\n")


def median(values):
    return statistics.median(values) if values else 0.0
