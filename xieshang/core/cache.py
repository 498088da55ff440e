"""A Redis cache that keeps the site up when Redis is not.

Used when REDIS_URL is set (settings.CACHES). Django's own RedisCache raises on every call while
Redis is unreachable, and sessions (`cached_db`) read and write the cache on every request, so a
Redis outage would be a site outage. This subclass turns a connection failure into a cache miss
(reads return the default, writes are dropped) and stops trying for RETRY_SECONDS, so that each
request does not wait for a connection timeout. Sessions then come from the database, which
holds them anyway. The first failure of each outage is logged as a warning.

One thing a cache miss cannot hide: a session deleted (sign-out) while Redis is unreachable
keeps its cached copy in Redis until it expires, when Redis comes back with its data. Redis
configured without persistence (as in deploy/) comes back empty.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("xieshang.cache")

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
_MISSING = object()


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new `redis.Redis` object for every cache call, and each one copies
    redis-py's table of ~170 response callbacks: ~0.25 ms a call, six calls a page. A `redis.Redis`
    is safe to share between threads (it takes a connection from its pool per command), so one is
    kept per connection pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        self.retry_seconds = float(params.pop("RETRY_SECONDS", 5))
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: Exception) -> None:
        with self._lock:
            was_up = self.available
            self._down_until = time.monotonic() + self.retry_seconds
        if was_up:
            logger.warning("Redis cache unavailable (%s); serving without it for %gs", exc, self.retry_seconds)

    def _call(self, method: str, default, *args, **kwargs):
        if not self.available:
            return default
        try:
            return getattr(super(), method)(*args, **kwargs)
        except UNAVAILABLE as exc:
            self._failed(exc)
            return default

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)

    def incr(self, key, delta=1, version=None):
        result = self._call("incr", _MISSING, key, delta, version)
        if result is _MISSING:  # unreachable: as if the key were not there
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return result


# --- Keys read together at the start of a request -------------------------------------------------
#
# A signed-in page reads a handful of small keys before its own work: the user (with roles), the unread
# badge, the calendar's version, the committee's organisation version and timers. `prime` reads them in
# one round trip (CommitteeMiddleware, with the hot cache on); `primed_get` then serves each key once
# from that read and goes to the cache for any later read, and `unprime` drops a primed copy when a
# service forgets the key within the same request. Per thread: gthread workers serve one request a
# thread.

def hot_cache_seconds() -> int:
    """XIESHANG_HOT_CACHE_SECONDS (ADR 0009): how long users, roles and timers stay cached; 0 = not."""
    return int(getattr(settings, "XIESHANG_HOT_CACHE_SECONDS", 0) or 0)


_primed = threading.local()
_NOT_PRIMED = object()


def prime(keys) -> None:
    keys = list(keys)
    values = cache.get_many(keys)
    _primed.values = {key: values.get(key, _MISSING) for key in keys}


def primed_get(key, default=None):
    values = getattr(_primed, "values", None)
    if values:
        value = values.pop(key, _NOT_PRIMED)
        if value is not _NOT_PRIMED:
            return default if value is _MISSING else value
    return cache.get(key, default)


def unprime(keys=None) -> None:
    """Forget the primed copies of these keys (all of them when None, at the end of the request)."""
    values = getattr(_primed, "values", None)
    if not values:
        return
    if keys is None:
        _primed.values = None
        return
    for key in keys:
        values.pop(key, None)


def forget_derived(keys) -> None:
    """Drop keys of derived data keyed on a version (ADR 0006: core.categories' lists) now and after the commit
    (another request may cache the old rows in between)."""
    from django.db import transaction

    keys = list(keys)
    unprime(keys)
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


# --- The hot cache's keys, and the one way to forget them (ADR 0009) --------------------------------
#
# Every key the hot cache writes carries the schema version: a deploy that changes the shape of an entry
# bumps SCHEMA and never reads the entries the old code wrote (they expire). Everything that changes what
# an entry was built from — the services, the Django admin's saves and deletes, `User.save`, restore —
# calls `forget`, and nothing else deletes these keys.

SCHEMA = 2

PRINCIPAL = "principal"  # the user without the password hash, roles, committees, member ids (per user)
UNREAD = "unread"  # the unread badge (per user; cached whether or not the hot cache is on)
TIMERS = "timers"  # a committee's own timer settings (per committee)

# The per-request copies of a principal entry kept on a user object (core.selectors).
PRINCIPAL_ATTRS = ("_xieshang_roles", "_xieshang_committees", "_xieshang_member_ids", "_xieshang_all_committees")


def hot_key(kind: str, ident) -> str:
    return f"xieshang:v{SCHEMA}:{kind}:{ident}"


def forget(*, users=(), committees=(), what=(PRINCIPAL,), everything: bool = False) -> None:
    """Forget what the caches keep about these users (User objects or ids) and committees (objects or ids).

    `what` names the kinds: PRINCIPAL and UNREAD for users, TIMERS for committees. A User object also loses
    its per-request copies (roles, committees, member ids), so the rest of this request reads them anew.
    The keys go now (this transaction reads its own rows) and again after the commit (another request may
    have cached the old rows in between). `everything=True` (restore, a new data set) empties the cache.
    """
    from django.db import transaction

    if everything:
        unprime()
        cache.clear()
        return
    what = {what} if isinstance(what, str) else set(what)
    unknown = what - {PRINCIPAL, UNREAD, TIMERS}
    if unknown:
        raise ValueError(f"unknown cache kinds: {sorted(unknown)}")
    user_ids = set()
    for user in users:
        if user is None:
            continue
        if isinstance(user, int):
            user_ids.add(user)
            continue
        if PRINCIPAL in what:
            for attr in PRINCIPAL_ATTRS:
                user.__dict__.pop(attr, None)
        if user.pk is not None:
            user_ids.add(user.pk)
    committee_ids = {c if isinstance(c, int) else c.pk for c in committees if c is not None}
    hot = hot_cache_seconds() > 0
    keys = []
    if PRINCIPAL in what and hot:
        keys += [hot_key(PRINCIPAL, pk) for pk in user_ids]
    if UNREAD in what:
        keys += [hot_key(UNREAD, pk) for pk in user_ids]
    if TIMERS in what and hot:
        keys += [hot_key(TIMERS, pk) for pk in committee_ids]
    if not keys:
        return
    unprime(keys)
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
