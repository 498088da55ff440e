"""The one clock of the platform: services, selectors, jobs and deadlines ask `now()` and `today()`.

Tests and the demo set it with `set_to(moment_or_date)` (and `reset()`); a date means 10:00 local time
that day. Nothing else in the code calls `timezone.now()` for a business decision.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

_fixed: datetime.datetime | None = None


def now() -> datetime.datetime:
    return _fixed if _fixed is not None else timezone.now()


def today() -> datetime.date:
    return timezone.localdate(_fixed) if _fixed is not None else timezone.localdate()


def set_to(moment: datetime.datetime | datetime.date | None) -> None:
    """Fix the clock at `moment` (a date: 10:00 local time that day); None lets it run again."""
    global _fixed
    if moment is None:
        _fixed = None
    elif isinstance(moment, datetime.datetime):
        _fixed = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    else:
        _fixed = timezone.make_aware(datetime.datetime.combine(moment, datetime.time(10, 0)))


def reset() -> None:
    set_to(None)


def is_fixed() -> bool:
    return _fixed is not None
