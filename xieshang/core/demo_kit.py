"""What every app's demo loader needs to write history: a clock that makes a step happen at a past
moment, a block in which nobody is notified (history), an INSERT that keeps the timestamps given, and a moment
of a day. For `xieshang demo` only (it runs in one thread); never used by the platform itself."""

from __future__ import annotations

import contextlib
import datetime

from django.db import connections, router
from django.utils import timezone


@contextlib.contextmanager
def clock(moment: datetime.datetime):
    """While the block runs, `django.utils.timezone.now()` answers `moment` (and `localdate()` its day), and
    the core clock is set to it too. The services, the deadlines (`core.clock`), `auto_now_add` fields,
    audit events and notifications all ask one of them, so a step run inside the block is recorded as
    having happened at `moment`."""
    from xieshang.core import clock as core_clock

    real, fixed = timezone.now, core_clock.now() if core_clock.is_fixed() else None
    timezone.now = lambda: moment
    core_clock.set_to(moment)
    try:
        yield
    finally:
        timezone.now = real
        core_clock.set_to(fixed)


def history(quiet: bool = True):
    """A block of steps that happened long ago: through the services as they were, but `notify` tells nobody (no
    notification, so no e-mail or SMS to a member or an office) while `quiet`. Messages that do not go through
    `notify` — the texts grassroots sends a citizen — are the loader's own business. Loaders pass
    `day < <their cut-off>`, so the last weeks before the demo's today still notify as the application does."""
    from .services import notices_silenced

    return notices_silenced(quiet)


def _fill_fk_ids(obj) -> None:
    """Copy the primary keys of related objects saved meanwhile into the foreign-key columns."""
    for f in obj._meta.concrete_fields:
        if f.is_relation and getattr(obj, f.attname) is None:
            related = f.get_cached_value(obj, default=None)
            if related is not None:
                setattr(obj, f.attname, related.pk)


def raw_insert(model, objs: list) -> None:
    """INSERT the objects as they are, timestamps included, and set their primary keys.

    `save()` and `bulk_create()` replace an `auto_now_add` value with the present time; the raw insert
    (what `loaddata` does) keeps the value given, so history gets its own dates."""
    if not objs:
        return
    db = router.db_for_write(model)
    connection = connections[db]
    for obj in objs:
        _fill_fk_ids(obj)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    can_return = connection.features.can_return_rows_from_bulk_insert
    batch = max(connection.ops.bulk_batch_size(fields, objs), 1) if can_return else 1
    manager = model._base_manager
    for start in range(0, len(objs), batch):
        chunk = objs[start:start + batch]
        rows = manager._insert(chunk, fields=fields, returning_fields=model._meta.db_returning_fields, raw=True, using=db)
        for obj, row in zip(chunk, rows, strict=False):
            obj.pk = row[0]
            obj._state.adding = False
            obj._state.db = db


def at(day: datetime.date, minutes: int) -> datetime.datetime:
    """`minutes` after local midnight of `day`."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 0)) + datetime.timedelta(minutes=minutes))
