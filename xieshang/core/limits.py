"""Rate limits for the public doors (no account): a count per key and fixed window in the shared cache.

    if limits.exceeded("clue", client, per_hour=5): refuse …
    …the write…
    limits.count("clue", client, window=3600)

`exceeded` reads, `count` adds one after the work is done (a refused or failed request does not count).
`hit` does both at once for a door that counts every attempt (SMS codes: each request costs a message).
Keys are bounded: the scope, the window's start and at most 64 characters of the subject (an address, a
phone number); an IPv6 address is keyed by its /64 network, since a client may pick any address of it.
With several processes the cache must be shared (Redis, as in production); the local-memory cache of a
single process is enough for tests and the embedded default.
"""

from __future__ import annotations

import ipaddress

from django.core.cache import cache

from . import clock


def _subject(subject: str) -> str:
    """An IPv6 address counts as its /64 network: one client (a home, a phone) has a whole /64 to pick from."""
    if subject and ":" in subject:
        try:
            address = ipaddress.IPv6Address(subject.strip().strip("[]").split("%")[0])
            if address.ipv4_mapped is not None:
                return str(address.ipv4_mapped)
            return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
        except ValueError:
            pass
    return (subject or "unknown")[:64]


def _key(scope: str, subject: str, window: int) -> str:
    start = int(clock.now().timestamp()) // window
    return f"xieshang:limit:{scope}:{window}:{start}:{_subject(subject)}"


def used(scope: str, subject: str, *, window: int) -> int:
    return int(cache.get(_key(scope, subject, window)) or 0)


def exceeded(scope: str, subject: str, *, limit: int, window: int = 3600) -> bool:
    """Has `subject` reached `limit` in the current window of `window` seconds?"""
    return used(scope, subject, window=window) >= limit


def count(scope: str, subject: str, *, window: int = 3600) -> int:
    """Add one to `subject`'s count in the current window; returns the new count."""
    key = _key(scope, subject, window)
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def hit(scope: str, subject: str, *, limit: int, window: int = 3600) -> bool:
    """Count one attempt; True when it is within `limit` for the window (the attempt may go on)."""
    return count(scope, subject, window=window) <= limit
