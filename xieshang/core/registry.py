"""What each app adds to the platform, declared by the app itself; core only reads it.

An app's `AppConfig` has a `declare()` method that returns one `Declarations`. Core collects them from
every installed app (in INSTALLED_APPS order) the first time it asks, and keeps them per process.
Adding an app therefore edits no file in `core/`:

    class OpinionsConfig(AppConfig):
        name = "xieshang.opinions"

        def declare(self):
            from .declarations import DECLARATIONS
            return DECLARATIONS

Everything is plain data (dataclasses, dotted paths or callables); nothing runs at import time.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

from django.apps import apps


@dataclasses.dataclass(frozen=True)
class NavItem:
    """One entry of the menu: label, URL name, the roles that see it (None: everyone signed in), and
    `order` (smaller first; the workbench is 0, administration 1000)."""

    label: Any
    url_name: str
    roles: frozenset[str] | None
    order: int = 500


@dataclasses.dataclass(frozen=True)
class Declarations:
    # The menu entries of the app.
    nav: tuple[NavItem, ...] = ()
    # Dotted paths of to-do providers: fn(user, committee) -> [{"label", "count", "url", "urgent"}].
    todos: tuple[str, ...] = ()
    # Periodic jobs (xieshang.core.scheduler.Job).
    jobs: tuple = ()
    # Timer defaults, key -> xieshang.core.timers.TimerDefault ("opinion.edit", "demand.answer" …).
    timers: dict = dataclasses.field(default_factory=dict)
    # Background export kinds, name -> xieshang.core.exports.Kind.
    export_kinds: dict = dataclasses.field(default_factory=dict)
    # Timeline labels: event prefix ("proposal") -> dotted path of fn(event_action: str) -> label | None.
    event_labels: dict = dataclasses.field(default_factory=dict)
    # Dotted paths of fn(obj, changes) called inside the transaction of an administration service that changed
    # an organisation row (unit, sector, organisation, special committee …; changes: {field: [old, new]}).
    organisation_changed: tuple[str, ...] = ()
    # Deadline kinds (xieshang.core.deadlines.DeadlineKind).
    deadline_kinds: tuple = ()
    # Duty fact kinds, kind -> label ("proposal.lead", "opinion.adopted.province" …).
    duty_kinds: dict = dataclasses.field(default_factory=dict)
    # Dotted paths of the app's demo loaders, fn(demo, stdout=…) (see core/management/commands/demo.py).
    demo_loaders: tuple[str, ...] = ()
    # Search kinds, kind -> xieshang.core.search.SearchKind(builder, model, version_field …), or just the
    # dotted path of the builder fn(ids) -> iterable of xieshang.core.search.Document.
    search_kinds: dict = dataclasses.field(default_factory=dict)
    # Dotted paths of fn(user, keep=None) -> int called inside the transaction of a password change or reset:
    # end what the old password opened (the API app revokes the user's tokens but `keep`); returns how many.
    credentials_changed: tuple[str, ...] = ()


@functools.cache
def declarations() -> tuple[Declarations, ...]:
    """Every installed app's declarations, in INSTALLED_APPS order (read once per process)."""
    out = []
    for config in apps.get_app_configs():
        declare: Callable[[], Declarations] | None = getattr(config, "declare", None)
        if declare is not None:
            out.append(declare())
    return tuple(out)


def nav_items() -> list[NavItem]:
    items = [item for d in declarations() for item in d.nav]
    return sorted(items, key=lambda item: item.order)  # stable: apps keep their own order within an order


def todo_providers() -> list[str]:
    return [path for d in declarations() for path in d.todos]


def jobs() -> list:
    return [job for d in declarations() for job in d.jobs]


def timers() -> dict:
    return {key: value for d in declarations() for key, value in d.timers.items()}


def export_kinds() -> dict:
    return {key: value for d in declarations() for key, value in d.export_kinds.items()}


def event_label_paths() -> dict[str, str]:
    return {key: value for d in declarations() for key, value in d.event_labels.items()}


def organisation_changed_handlers() -> list[str]:
    return [path for d in declarations() for path in d.organisation_changed]


def deadline_kinds() -> dict:
    return {kind.name: kind for d in declarations() for kind in d.deadline_kinds}


def duty_kinds() -> dict:
    return {key: value for d in declarations() for key, value in d.duty_kinds.items()}


def search_kinds() -> dict[str, str]:
    return {key: value for d in declarations() for key, value in d.search_kinds.items()}


def demo_loaders() -> list[str]:
    return [path for d in declarations() for path in d.demo_loaders]


def credentials_changed_handlers() -> list[str]:
    return [path for d in declarations() for path in d.credentials_changed]
