"""The one workflow machine every app runs its transitions through (ADR 0004, ADR 0011).

An app declares its workflow as a table of `Transition`s and builds one `Machine` for its model:

    MACHINE = Machine(
        name="opinion",                       # audit events are "opinion.<action>"
        model=OpinionReport,
        transitions=[Transition("submit", {S.DRAFT}, S.SUBMITTED, {"author"}, _("submit")), …],
        handlers={"submit": _do_submit, …},    # one small function per action (optional for pure moves)
        relations=selectors.relations_of,      # fn(user, obj) -> {"author", "staff", …}
        can_see=selectors.can_see,             # fn(user, obj) -> bool
    )

`Machine.act()` does, in one transaction and in this order:
  1. lock the row (SELECT … FOR UPDATE);                         missing            → NotFound (404)
  2. visibility: `can_see(actor, obj)` (the scheduler, actor None, sees all) → NotFound (404)
  3. permission: one of the transition's `actors` in `relations(actor, obj)` → Forbidden (403)
  4. version: `expected_version`, when given, equals `obj.version`           → Conflict (409)
  5. legality: the state is one of the transition's `sources`                → IllegalTransition (409)
  6. the guard: `guard(step)` raises a ServiceError when the action is refused here (409 / 403 / 422)
  7. the input: `input.model_validate(data)` (a pydantic/ninja Schema)        → Invalid (422) with fields
  8. the handler: `handler(step)` changes `step.obj` (and other rows); `target` is set when not None
  9. unless the handler set `step.skip`: the version goes up by one, the row is saved, `after_save(obj)`
     runs (e.g. the search index), and one audit event `<name>.<action>` is recorded (unless `step.quiet`).
Notifications are created by the handler through `xieshang.core.services.notify`, which delivers
after the commit.

`Machine.available(actor, obj)` runs steps 3, 5 and 6 for every transition: a button is shown exactly
when the action would be accepted (given valid input and an unchanged version).

The input schema is the one definition of an action's fields: the API validates its JSON body with it
and the page's form posts the same field names (`step.input`; `step.data` keeps the raw mapping).
A transition with `input=None` takes no fields beyond what its handler reads from `step.data`.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from . import audit, clock
from .errors import Conflict, Forbidden, IllegalTransition, Invalid, NotFound, ServiceError

MAX_ID = 2**63 - 1


@dataclasses.dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None
    actors: frozenset[str]
    label: Any  # a lazy translation
    # fn(step) -> None; raises a ServiceError when the action is refused for this actor and object.
    guard: Callable[[Step], None] | None = None
    # A pydantic model (ninja Schema) for the action's fields; None: no declared fields.
    input: type | None = None

    def __init__(self, action, sources, target, actors, label, guard=None, input=None):
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "actors", frozenset(actors))
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "guard", guard)
        object.__setattr__(self, "input", input)


@dataclasses.dataclass
class Step:
    """One action in progress: what the guard and the handler see and change."""

    machine: Machine
    actor: Any
    obj: Any
    transition: Transition
    relations: set[str]
    data: Mapping
    now: datetime.datetime
    today: datetime.date
    input: Any = None  # the validated input schema instance (None without a schema)
    found: Any = None  # what the guard looked up for the handler (e.g. the actor's assignment)
    payload: dict = dataclasses.field(default_factory=dict)  # the audit event's payload
    skip: bool = False  # nothing changed: no version bump, no event
    quiet: bool = False  # the version goes up, but no event is recorded
    checking: bool = False  # True while available() asks the guard (no input, nothing may be written)

    @property
    def action(self) -> str:
        return self.transition.action

    @property
    def committee_id(self):
        return self.obj.committee_id


def as_id(value) -> int | None:
    """The database id `value` names (an int, its digits as text, or a row), or None when it names none."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if hasattr(value, "pk"):
        return value.pk
    try:
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number <= MAX_ID else None


def validation_errors(exc) -> dict[str, list[str]]:
    """A pydantic ValidationError as {field: [message, …]} in the interface language."""
    out: dict[str, list[str]] = {}
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
        name = loc[0] if loc else "__all__"
        kind = error.get("type", "")
        ctx = error.get("ctx") or {}
        if kind == "missing" or (kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1):
            message = _("This field is required.")
        elif kind in ("string_too_long", "too_long"):
            message = _("At most %(n)d characters.") % {"n": ctx.get("max_length", 0)}
        elif kind.startswith("date") or kind.startswith("datetime"):
            message = _("Enter a date as YYYY-MM-DD.")
        elif kind.startswith("int") or kind.startswith("float") or kind.startswith("decimal"):
            message = _("Enter a whole number.")
        elif kind in ("enum", "literal_error"):
            message = _("Choose one of the offered values.")
        elif kind == "value_error" and ctx.get("error"):
            message = str(ctx["error"])
        else:
            message = _("Some of the data is not valid.")
        out.setdefault(name, []).append(message)
    return out


def parse_input(schema: type, data: Mapping | None, *, committee=None, current=None):
    """`data` validated by `schema`, or Invalid with the field errors (422). `committee` and `current` (the
    object acted on) are the validation context of the types that depend on them (`core.categories.Code`)."""
    from pydantic import ValidationError

    raw = dict(data or {})
    try:
        return schema.model_validate(raw, context={"committee": committee, "current": current})
    except ValidationError as exc:
        raise Invalid(field_errors=validation_errors(exc)) from None


# Every Machine by its name, which is also the prefix of the audit events it records ("supervision.start"):
# how a timeline names the states of an event (state_label_of). Filled when an app's services module defines
# its Machines; a name is one workflow.
_BY_NAME: dict[str, Machine] = {}


def state_label_of(action: str, state: str | None) -> str:
    """The name of `state` as the Machine that records `action` shows it (its `state_label`): "under_way" →
    "进行中"; the code itself when no Machine of that prefix is known, and "" for no state."""
    if not state:
        return ""
    machine = _BY_NAME.get(action.split(".", 1)[0])
    return str(machine.state_label(state)) if machine is not None else state


class Machine:
    def __init__(
        self,
        *,
        name: str,
        model,
        transitions: Iterable[Transition],
        relations: Callable[[Any, Any], set[str]],
        can_see: Callable[[Any, Any], bool],
        handlers: Mapping[str, Callable[[Step], None]] | None = None,
        groups: Mapping[str, Iterable[str]] | None = None,
        after_save: Callable[[Any], None] | None = None,
        illegal: Callable[[Transition, str], IllegalTransition] | None = None,
        state_label: Callable[[str], str] | None = None,
        state_field: str = "state",
    ):
        self.name = name
        self.model = model
        self.transitions: dict[str, Transition] = {}
        for t in transitions:
            if t.action in self.transitions:
                raise ValueError(f"{name}: the action {t.action!r} is declared twice")
            self.transitions[t.action] = t
        self.handlers = dict(handlers or {})
        unknown = set(self.handlers) - set(self.transitions)
        if unknown:
            raise ValueError(f"{name}: handlers without a transition: {sorted(unknown)}")
        for t in self.transitions.values():
            if t.target is None and t.action not in self.handlers:
                raise ValueError(f"{name}: {t.action!r} computes its target but has no handler")
        self.relations = relations
        self.can_see = can_see
        self.groups = {key: frozenset(states) for key, states in (groups or {}).items()}
        self.after_save = after_save
        self._illegal = illegal
        self._state_label = state_label
        self.state_field = state_field
        _BY_NAME[name] = self

    # --- Reading the table ----------------------------------------------------------------------

    def __contains__(self, action: str) -> bool:
        return action in self.transitions

    def transition(self, action: str) -> Transition:
        return self.transitions[action]

    def group(self, name: str) -> frozenset[str]:
        return self.groups[name]

    def is_legal(self, action: str, state: str) -> bool:
        t = self.transitions.get(action)
        return t is not None and state in t.sources

    def legal(self, state: str, relations: set[str]) -> list[Transition]:
        """The transitions legal in `state` for someone with these relations (no guard asked)."""
        return [t for t in self.transitions.values() if state in t.sources and t.actors & relations]

    def state_label(self, state: str) -> str:
        return self._state_label(state) if self._state_label else state

    def illegal(self, t: Transition, state: str) -> IllegalTransition:
        if self._illegal is not None:
            return self._illegal(t, state)
        return IllegalTransition(
            _("“%(action)s” is not possible in the state “%(state)s”.")
            % {"action": t.label, "state": self.state_label(state)},
            detail=f"state_{state}",
        )

    # --- Buttons and the API's list of actions ----------------------------------------------------

    def available(self, actor, obj, *, relations: set[str] | None = None) -> list[Transition]:
        """The transitions `actor` would be allowed now: legal, an actor relation, and the guard passes.
        (The caller has already established that `actor` may see `obj`.)"""
        if relations is None:
            relations = self.relations(actor, obj)
        state = getattr(obj, self.state_field)
        out = []
        for t in self.legal(state, relations):
            if t.guard is not None:
                step = self._step(actor, obj, t, relations, {}, checking=True)
                try:
                    t.guard(step)
                except ServiceError:
                    continue
            out.append(t)
        return out

    # --- Acting -------------------------------------------------------------------------------------

    def _step(self, actor, obj, t, relations, data, *, checking=False) -> Step:
        return Step(
            machine=self, actor=actor, obj=obj, transition=t, relations=relations, data=data,
            now=clock.now(), today=clock.today(), checking=checking,
        )

    def act(self, *, actor, obj, action: str, data: Mapping | None = None, expected_version=None):
        """Carry out `action` on `obj` (an instance or a primary key) as `actor` (None: the scheduler).
        Returns the saved, locked row; an instance passed in is brought up to date too."""
        t = self.transitions.get(action)
        if t is None:
            raise Invalid(_("Unknown action."), detail="unknown_action")
        pk = as_id(obj)
        with transaction.atomic():
            locked = self.model.objects.select_for_update().filter(pk=pk).first() if pk else None
            if locked is None:
                raise NotFound()
            if actor is not None and not self.can_see(actor, locked):
                raise NotFound()
            relations = self.relations(actor, locked)
            if not t.actors & relations:
                raise Forbidden()
            if expected_version not in (None, "") and as_id(expected_version) != locked.version:
                raise Conflict()
            from_state = getattr(locked, self.state_field)
            if from_state not in t.sources:
                raise self.illegal(t, from_state)
            step = self._step(actor, locked, t, relations, dict(data or {}))
            if t.guard is not None:
                t.guard(step)
            if t.input is not None:
                step.input = parse_input(t.input, step.data, committee=getattr(locked, "committee_id", None),
                                         current=locked)
            handler = self.handlers.get(action)
            if handler is not None:
                handler(step)
            if t.target is not None and not step.skip:
                setattr(locked, self.state_field, t.target)
            if not step.skip:
                locked.version += 1
                locked.save()
                if self.after_save is not None:
                    self.after_save(locked)
                if not step.quiet:
                    audit.record(
                        actor=actor, action=f"{self.name}.{action}", obj=locked, from_state=from_state,
                        to_state=getattr(locked, self.state_field), payload=step.payload,
                    )
        if isinstance(obj, self.model) and obj is not locked:
            for f in locked._meta.concrete_fields:
                setattr(obj, f.attname, getattr(locked, f.attname))
            obj._state.fields_cache.clear()
        return locked
