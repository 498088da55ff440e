"""Writing the audit trail. Services call `record` inside their transaction."""

from django.contrib.contenttypes.models import ContentType

from .models import Event


def _client_ip(request) -> str | None:
    """The client's address; behind a trusted proxy, the one it forwarded (core.addresses)."""
    from .addresses import client_address

    return client_address(request)


def record(
    *,
    actor,
    action: str,
    obj=None,
    committee=None,
    from_state: str = "",
    to_state: str = "",
    payload: dict | None = None,
    request=None,
) -> Event:
    """Append one event. `obj` may be any model instance (or None for events about no object)."""
    if committee is None and obj is not None:
        committee = getattr(obj, "committee", None)
    content_type = ContentType.objects.get_for_model(obj.__class__) if obj is not None else None
    return Event.objects.create(
        actor=actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None,
        committee=committee,
        action=action,
        content_type=content_type,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        from_state=from_state or "",
        to_state=to_state or "",
        payload=payload or {},
        ip_address=_client_ip(request),
    )


# A text longer than this is recorded as a unified diff of its lines, not as two copies.
DIFF_OVER = 200


def value_of(value):
    """A value as the audit payload (JSON) keeps it: dates as ISO text, a row as its name, a set sorted."""
    import datetime

    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if hasattr(value, "_meta"):  # a model instance
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(str(v) for v in value)
    if isinstance(value, int | float | bool | str) or value is None:
        return value
    return str(value)


def changes(before, after, fields=None) -> dict:
    """What an edit changed, for the payload of its event: {field: [old, new]} for each field whose value
    differs, and for a text longer than DIFF_OVER characters (old or new) {field: {"diff": unified diff,
    "old_length", "new_length"}}. `before` and `after` are dicts or objects (getattr); `fields` defaults to
    the keys of `after` (a dict). Every edit service of every app records its changes with this helper."""
    import difflib

    def read(source, name):
        return source.get(name) if isinstance(source, dict) else getattr(source, name, None)

    names = list(fields if fields is not None else after)
    found = {}
    for name in names:
        old, new = read(before, name), read(after, name)
        if old == new:
            continue
        if isinstance(old, str | type(None)) and isinstance(new, str | type(None)) and \
                max(len(old or ""), len(new or "")) > DIFF_OVER:
            lines = difflib.unified_diff((old or "").splitlines(), (new or "").splitlines(), "old", "new",
                                         lineterm="", n=1)
            found[name] = {"diff": "\n".join(list(lines)[2:]), "old_length": len(old or ""),
                           "new_length": len(new or "")}
        else:
            found[name] = [value_of(old), value_of(new)]
    return found


def change_rows(payload, model=None) -> list[dict]:
    """The changes of an event's payload as rows for the timeline: {"field", "old", "new"} or {"field", "diff"};
    "field" is the model field's name for people (its verbose_name) when `model` has it."""
    rows = []
    for name, change in ((payload or {}).get("changes") or {}).items():
        field = _field_label(model, name)
        if isinstance(change, dict):
            rows.append({"field": field, "diff": change.get("diff", "")})
        elif isinstance(change, list | tuple) and len(change) == 2:
            rows.append({"field": field, "old": change[0], "new": change[1]})
    return rows


def _field_label(model, name: str) -> str:
    from django.core.exceptions import FieldDoesNotExist

    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def timeline(obj):
    """The events of one object, oldest first, with their actors (one query)."""
    return Event.objects.for_object(obj).select_related("actor").order_by("created_at", "id")


def event_label(action: str):
    """The human name of an audit event ("proposal.register" → "register"), from the app that declares the
    event's prefix (`Declarations.event_labels`: prefix → dotted path of fn(action) -> label | None);
    None when no app names it."""
    from django.utils.module_loading import import_string

    from . import registry

    path = registry.event_label_paths().get(action.split(".", 1)[0])
    label = import_string(path)(action) if path else None
    return None if label is None else str(label)


def allow_purge(connection, allowed: bool) -> None:
    """Let this database connection delete audit events (only the test suite does, to empty its
    databases between tests). Updates stay refused. See core/migrations/0002."""
    connection._xieshang_audit_purge = bool(allowed)
    if connection.vendor == "postgresql" and connection.connection is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('xieshang.allow_audit_purge', %s, false)", ["on" if allowed else "off"])


def install_sqlite_guard(sender, connection, **kwargs) -> None:
    """Register the function the SQLite triggers consult (connected in CoreConfig.ready)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "xieshang_audit_purge_allowed", 0, lambda: 1 if getattr(connection, "_xieshang_audit_purge", False) else 0
        )
    elif connection.vendor == "postgresql" and getattr(connection, "_xieshang_audit_purge", False):
        allow_purge(connection, True)
