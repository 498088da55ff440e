"""Gunicorn settings for Xieshang: `gunicorn -c python:xieshang.gunicorn_conf xieshang.wsgi`.

Used by `xieshang serve` and deploy/xieshang-web.service. Environment variables:

  BIND               address to listen on (default 127.0.0.1:8000; a proxy such as nginx in front)
  WEB_CONCURRENCY    worker processes (default 2 × cores + 1, at most 8 — a sync worker holds one
                     database connection, so workers × machines must stay under PostgreSQL's
                     max_connections with room for the task workers and the scheduler)
  GUNICORN_TIMEOUT   seconds a request may take before its worker is replaced (default 60)
  FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-* headers are trusted (default 127.0.0.1,::1)
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = [b.strip() for b in os.environ.get("BIND", "127.0.0.1:8000").split(",") if b.strip()]
workers = max(1, _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
worker_class = "sync"  # nginx buffers slow clients; a sync worker is simplest and holds one DB connection
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# Replace each worker now and then: bounded memory growth, and new workers pick up a restarted
# database or Redis without carrying old state. The jitter keeps them from restarting together.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips
# The heartbeat files live in memory, not on a possibly slow or full disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
proc_name = "xieshang-web"
# Gunicorn's control socket (one fixed path per user) is off: several instances may run side by
# side (tests, blue/green); systemd and signals (HUP reloads, TERM stops) do the controlling.
control_socket_disable = True
# Django is imported in each worker, not in the master: a `kill -HUP` of the master reloads the code.
preload_app = False
