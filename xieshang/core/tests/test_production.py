"""Production settings and infrastructure: the Redis fallback, the file SMS backend, the settings
chosen from the environment, the gunicorn configuration."""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

from xieshang.core.cache import TolerantRedisCache
from xieshang.core.sms import FileSmsBackend

ROOT = Path(__file__).resolve().parents[3]
DEAD_REDIS = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there


# --- The Redis cache falls back to "no cache" -------------------------------------------------------


def _dead_cache(**params):
    return TolerantRedisCache(DEAD_REDIS, {"OPTIONS": {"socket_connect_timeout": 0.5}, **params})


def test_an_unreachable_redis_is_a_cache_miss_not_an_error(caplog):
    cache = _dead_cache()
    with caplog.at_level("WARNING", logger="xieshang.cache"):
        assert cache.get("k", "default") == "default"
        assert cache.set("k", 1) is None
        assert cache.add("k", 1) is False
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("k") is False
        assert "k" not in cache
        assert cache.delete("k") is False
        assert cache.set_many({"a": 1}) == ["a"]
        with pytest.raises(ValueError):
            cache.incr("k")
    assert caplog.text.count("Redis cache unavailable") == 1  # once per outage, not per call


def test_after_a_failure_redis_is_not_tried_again_for_a_while(monkeypatch):
    cache = _dead_cache(RETRY_SECONDS=60)
    calls = []
    real = cache._cache.get

    def counting_get(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cache._cache, "get", counting_get)
    cache.get("a")
    cache.get("b")
    cache.get("c")
    assert len(calls) == 1
    cache._down_until = 0  # the pause is over: it tries again
    cache.get("d")
    assert len(calls) == 2


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


@pytest.mark.skipif(not _redis_up() and os.environ.get("CI") != "true", reason="no Redis at 127.0.0.1:6379")
def test_a_reachable_redis_is_used():
    cache = TolerantRedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": "xieshang-test"})
    cache.delete("n")
    cache.set("k", {"a": 1}, 30)
    assert cache.get("k") == {"a": 1}
    with pytest.raises(ValueError):
        cache.incr("n")
    cache.set("n", 1, 30)
    assert cache.incr("n") == 2
    cache.delete_many(["k", "n"])
    # one redis client per connection pool, shared by every call (not one built per call)
    assert cache._cache.get_client() is cache._cache.get_client(write=True)


@pytest.mark.django_db
def test_sign_in_works_with_sessions_in_an_unreachable_redis(settings, client, make_user):
    settings.CACHES = {"default": {"BACKEND": "xieshang.core.cache.TolerantRedisCache", "LOCATION": DEAD_REDIS,
                                   "OPTIONS": {"socket_connect_timeout": 0.5}}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    make_user(username="ops-user", password="a-long-password-1")
    response = client.post("/login/", {"username": "ops-user", "password": "a-long-password-1"})
    assert response.status_code == 302
    assert client.get("/inbox/").status_code == 200  # the session came back from the database
    assert client.post("/logout/").status_code == 302
    assert client.get("/inbox/").status_code == 302


# --- File SMS backend ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_file_sms_backend_writes_when_the_delivery_commits(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.XIESHANG_SMS_FILE = str(tmp_path / "sms.jsonl")
    backend = FileSmsBackend()
    try:
        with transaction.atomic():
            backend.send("13900000000", "rolled back")
            raise RuntimeError
    except RuntimeError:
        pass
    assert FileSmsBackend.read() == []
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            backend.send("13900000000", "短信 one")
            assert FileSmsBackend.read() == []  # not before the commit
    backend.send("13900000001", "two")  # the test's transaction: runs on its "commit" only
    lines = FileSmsBackend.read()
    assert [(m["phone"], m["text"]) for m in lines] == [("13900000000", "短信 one")]
    assert oct(os.stat(settings.XIESHANG_SMS_FILE).st_mode & 0o777) == "0o600"


# --- Settings from the environment -------------------------------------------------------------------


def _settings_in_subprocess(tmp_path, **env) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'cache': s.CACHES['default']['BACKEND'], 'session': s.SESSION_ENGINE, "
        "'static': s.STORAGES['staticfiles']['BACKEND'], 'finders': s.WHITENOISE_USE_FINDERS, "
        "'conn_max_age': s.DATABASES['default']['CONN_MAX_AGE'], "
        "'health': s.DATABASES['default']['CONN_HEALTH_CHECKS']}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("XIESHANG_") and k not in ("REDIS_URL", "DEBUG")}
    base.update({"DJANGO_SETTINGS_MODULE": "xieshang.settings", "XIESHANG_DATA_DIR": str(tmp_path)}, **env)
    result = subprocess.run([sys.executable, "-c", code], env=base, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_without_redis_needs_no_redis(tmp_path):
    found = _settings_in_subprocess(tmp_path)
    assert found["cache"] == "django.core.cache.backends.filebased.FileBasedCache"  # shared by the processes
    assert found["session"] == "django.contrib.sessions.backends.db"
    assert found["static"] == "django.contrib.staticfiles.storage.StaticFilesStorage"  # nothing collected yet
    assert found["finders"] is True


def test_production_with_redis_and_collected_static_files(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    found = _settings_in_subprocess(tmp_path, REDIS_URL=DEAD_REDIS, DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert found["cache"] == "xieshang.core.cache.TolerantRedisCache"
    assert found["session"] == "django.contrib.sessions.backends.cached_db"
    assert found["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert found["finders"] is False
    assert found["conn_max_age"] == 60 and found["health"] is True  # persistent connections, checked


# --- gunicorn ----------------------------------------------------------------------------------------


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    import xieshang.gunicorn_conf as conf

    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("BIND", "127.0.0.1:9001")
    conf = importlib.reload(conf)
    assert (conf.workers, conf.bind) == (3, ["127.0.0.1:9001"])
    monkeypatch.delenv("WEB_CONCURRENCY")
    monkeypatch.delenv("BIND")
    conf = importlib.reload(conf)
    assert 3 <= conf.workers <= 8 and conf.bind == ["127.0.0.1:8000"]
    assert conf.control_socket_disable is True
