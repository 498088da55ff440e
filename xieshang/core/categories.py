"""Categories as data (issue #16): each committee keeps its own list of subject categories, shared by
proposals, opinion reports and demands (docs/architecture.md, "Categories as data").

The table is `core.Category` (committee, `code`, `name` as the committee writes it, optional `name_en`,
`position`, `active`). The records keep a `category` CharField holding the code, so history, exports and the
API stay as they were; what a code may be and how it is shown come from the committee's list:

    cat = catalogue(committee)        # the committee's list: one cached read (below)
    cat.label(code)                   # the name shown everywhere (name_en in English when given)
    cat.choices(current=code)         # the active categories for a form (plus the record's own one)
    record.category_label             # the same, on any model with `Categorized`

Inputs are checked against the list by the pydantic type `Code(...)` (the committee comes from the
validation context: `core.workflow.parse_input(schema, data, committee=…, current=…)`, which `Machine.act`
passes for every action), or by `check(committee, code)`; an unknown code is a 422 with a clear message.

Reading: `catalogue` keeps each committee's list for a second in the thread (a list page asks once per row)
and in the shared cache under a key that carries the committee's organisation version (ADR 0006). The one
way to invalidate is `changed(committee)`, which every service below calls: it drops the thread's copy and
the cached list now and after the commit, and bumps the organisation version. A committee without rows
(created around the services) reads the default list below; the first write stores it.

The default list (`Category`, the enum the apps used before) is what every committee starts with: the
data migration core/0015 gave it to every existing committee, `seed` gives it to new ones (demo loader,
Django admin, test factories).
"""

from __future__ import annotations

import contextvars
import re
import threading
import time
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field

from django.db import IntegrityError, models, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = [
    "Catalogue", "Categorized", "Category", "Code", "DEFAULT_NAMES", "catalogue", "category_create",
    "category_delete", "category_move", "category_set_active", "category_update", "categories_named", "changed",
    "check", "seed", "use",
]


class Category(models.TextChoices):
    """The default list: its codes are what the records stored before categories became data (and what the
    demo data and tests still name); every committee starts with it."""

    ECONOMY = "economy", gettext_lazy("economic development")
    POLITICS = "politics", gettext_lazy("political and legal affairs")
    CULTURE = "culture", gettext_lazy("culture and education")
    SOCIETY = "society", gettext_lazy("social affairs and livelihood")
    ECOLOGY = "ecology", gettext_lazy("ecology and environment")
    AGRICULTURE = "agriculture", gettext_lazy("agriculture and rural areas")
    OTHER = "other", gettext_lazy("other")


# The default list as a committee writes it (the names the Chinese interface showed for the enum).
DEFAULT_NAMES = {
    Category.ECONOMY: "经济建设",
    Category.POLITICS: "政治建设",
    Category.CULTURE: "文化建设",
    Category.SOCIETY: "社会建设",
    Category.ECOLOGY: "生态文明建设",
    Category.AGRICULTURE: "农业农村",
    Category.OTHER: "其他",
}
DEFAULT_ENGLISH = {
    Category.ECONOMY: "economic development",
    Category.POLITICS: "political and legal affairs",
    Category.CULTURE: "culture and education",
    Category.SOCIETY: "social affairs and livelihood",
    Category.ECOLOGY: "ecology and environment",
    Category.AGRICULTURE: "agriculture and rural areas",
    Category.OTHER: "other",
}

NAME_MAX = 40
NAME_EN_MAX = 80
CODE_MAX = 16
CODE_PATTERN = re.compile(r"[a-z][a-z0-9_-]{0,15}")
# Above this many categories a form offers them in a searchable picker (core.pickers) instead of a plain select.
PICKER_OVER = 10
MEMO_SECONDS = 1.0
CACHE_SECONDS = 60  # the backstop of ADR 0006 (writes around the services: data migrations, SQL by hand)


# --- Reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    name_en: str = ""
    position: int = 0
    active: bool = True
    pk: int | None = None

    @property
    def label(self) -> str:
        language = get_language() or ""
        return self.name_en if self.name_en and language.startswith("en") else self.name


class Catalogue:
    """One committee's categories in their order. `stored` is False when the committee has no rows yet
    (the default list stands in)."""

    def __init__(self, committee_id, entries, *, stored: bool = True):
        self.committee_id = committee_id
        self.entries: tuple[Entry, ...] = tuple(entries)
        self.stored = stored
        self.by_code = {e.code: e for e in self.entries}

    def __contains__(self, code) -> bool:
        return code in self.by_code

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def active(self) -> list[Entry]:
        return [e for e in self.entries if e.active]

    def label(self, code) -> str:
        """The name shown for a stored code; a code the list does not hold is shown as it is."""
        entry = self.by_code.get(code)
        return entry.label if entry is not None else (code or "")

    def name(self, code) -> str:
        """The name as the committee writes it, whatever the reader's language (official documents)."""
        entry = self.by_code.get(code)
        return entry.name if entry is not None else (code or "")

    def labels(self) -> dict[str, str]:
        return {e.code: e.label for e in self.entries}

    def choices(self, current=None, *, every: bool = False) -> list[tuple[str, str]]:
        """The active categories, plus `current` (a record's own, perhaps deactivated, category) in its place;
        `every`: those out of use too (a list's filter finds the records filed under them)."""
        return [(e.code, e.label) for e in self.entries if every or e.active or e.code == current]

    def default(self) -> str:
        """The category of a record that names none: 其他 when the committee uses it, else its first active one."""
        active = self.active
        if any(e.code == Category.OTHER for e in active) or not active:
            return Category.OTHER
        return active[0].code

    def code_for(self, text) -> str | None:
        """The code a name, English name or code stands for (spaces and case ignored), or None."""
        key = _name_key(text)
        if not key:
            return None
        for e in self.entries:
            if key in (_name_key(e.name), _name_key(e.name_en), e.code):
                return e.code
        return None


def _name_key(text) -> str:
    return re.sub(r"\s+", "", str(text or "")).lower()


def defaults(committee_id=None) -> Catalogue:
    return Catalogue(committee_id, [
        Entry(code=str(code), name=DEFAULT_NAMES[code], name_en=DEFAULT_ENGLISH[code], position=i)
        for i, code in enumerate(Category, start=1)
    ], stored=False)


_memo = threading.local()
_request: contextvars.ContextVar = contextvars.ContextVar("xieshang_categories_request", default=None)


def request_started(request):
    """CommitteeMiddleware: each request reads the lists afresh (its copies last the request, or MEMO_SECONDS),
    and a form built without a committee offers the list of the request's committee."""
    forget_memo()
    return _request.set(request)


def request_finished(token) -> None:
    _request.reset(token)


def request_committee():
    from .middleware import committee_of_request

    request = _request.get()
    return committee_of_request(request) if request is not None else None


def _memo_map() -> dict:
    memo = getattr(_memo, "map", None)
    if memo is None:
        memo = _memo.map = {}
    return memo


def forget_memo() -> None:
    """Drop this thread's copies (the test suite does before each test)."""
    _memo.map = {}


def _cache_key(committee_id) -> str:
    from .selectors import organisation_version

    return f"xieshang:categories:{committee_id}:{organisation_version(committee_id)}"


def _load(committee_id) -> Catalogue:
    from .models import Category as Row

    rows = list(Row.objects.filter(committee_id=committee_id).order_by("position", "id").values_list(
        "code", "name", "name_en", "position", "active", "pk"))
    if not rows:
        return defaults(committee_id)
    return Catalogue(committee_id, [Entry(*row) for row in rows])


def catalogue(committee) -> Catalogue:
    """The committee's categories (a Committee or its id): from this thread's copy (a second), else the shared
    cache (keyed on the organisation version), else one query."""
    from django.core.cache import cache

    committee_id = getattr(committee, "pk", committee)
    if committee_id is None:
        return defaults()
    memo = _memo_map()
    now = time.monotonic()
    held = memo.get(committee_id)
    if held is not None and now - held[0] < MEMO_SECONDS:
        return held[1]
    key = _cache_key(committee_id)
    found = cache.get(key)
    if found is None:
        found = _load(committee_id)
        cache.set(key, found, CACHE_SECONDS)
    memo[committee_id] = (now, found)
    return found


def label(committee, code) -> str:
    return catalogue(committee).label(code)


def changed(committee) -> None:
    """The one invalidation: the committee's list changed (every service below calls it)."""
    from .cache import forget_derived
    from .services import organisation_changed

    committee_id = getattr(committee, "pk", committee)
    _memo_map().pop(committee_id, None)
    transaction.on_commit(lambda: _memo_map().pop(committee_id, None))
    forget_derived([_cache_key(committee_id)])
    organisation_changed(committee_id)


class Categorized:
    """A mixin for a model with `committee` and a `category` code: its label from the committee's list."""

    @property
    def category_label(self) -> str:
        return label(self.committee_id, self.category)

    def get_category_display(self) -> str:  # the name Django gave it while the field had choices
        return self.category_label


def categorized_models() -> list:
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, Categorized)]


# --- Checking input ----------------------------------------------------------------------------------


def unknown_message(code) -> str:
    return _("“%(value)s” is not one of this committee's categories; choose one of those offered.") % {
        "value": str(code)[:40]}


def inactive_message(name) -> str:
    return _("The category “%(name)s” is no longer in use; choose another.") % {"name": name}


def problem(committee, code, current=None) -> str | None:
    """Why `code` may not be chosen in this committee (None: it may). `current`, a record's own category,
    stays acceptable after it was deactivated."""
    cat = catalogue(committee)
    entry = cat.by_code.get(code) if isinstance(code, str) else None
    if entry is None:
        return unknown_message(code)
    if not entry.active and code != current:
        return inactive_message(entry.label)
    return None


def check(committee, code, *, field: str = "category", current=None) -> str:
    """`code` if this committee may use it, else Invalid (422) on `field`."""
    from .errors import Invalid

    message = problem(committee, code, current)
    if message:
        raise Invalid(field_errors={field: [message]})
    return code


def known(committee, code, *, field: str = "category") -> str:
    """`code` if the committee's list holds it (in use or not: a filter finds old records), else Invalid (422)."""
    from .errors import Invalid

    if code not in catalogue(committee):
        raise Invalid(field_errors={field: [unknown_message(code)]})
    return code


# The API's type of a category code: any short text; the services check it against the committee's list.
ApiCode = Annotated[str, Field(min_length=1, max_length=40, description=(
    "A category code of the committee's own list (GET /api/v1/categories); an unknown one is refused (422)."))]


def Code(*, required: bool = True, blank_is_invalid: bool = False) -> Any:
    """A pydantic type: a category code of the committee in the validation context ({"committee", "current"}:
    `core.workflow.parse_input`). Empty: "This field is required." (None when optional; "Choose one of the
    offered values." with `blank_is_invalid`); unknown or out of use: the message of `problem`. Without a
    committee in the context it checks the default list."""
    from pydantic import ValidationInfo, WrapValidator

    def validate(value, handler, info: ValidationInfo):
        if value is None or (isinstance(value, str) and not value.strip()):
            if blank_is_invalid:
                raise ValueError(_("Choose one of the offered values."))
            if required:
                raise ValueError(_("This field is required."))
            return None
        code = value.strip() if isinstance(value, str) else value
        context = info.context or {}
        current = context.get("current")
        current_code = getattr(current, info.field_name or "category", None) if current is not None else None
        message = problem(context.get("committee"), code, current_code)
        if message:
            raise ValueError(message)
        return code

    return Annotated[str if required else str | None, WrapValidator(validate)]


def filter_choices(committee=None) -> list[tuple[str, str]]:
    """Every category of the committee (default: the request's), in use or not: a list filter's choices."""
    return catalogue(committee if committee is not None else request_committee()).choices(every=True)


def use(field, committee=None, *, current=None, empty: str | None = None) -> None:
    """Give a form's ChoiceField the committee's active categories (and `current`, the record's own); a list
    longer than PICKER_OVER becomes a searchable picker (core.pickers: the English name and the code are
    searchable too). `empty`: the label of an empty first choice (a filter's "All")."""
    from .pickers import Option, Options, Picker

    cat = catalogue(committee if committee is not None else request_committee())
    choices = cat.choices(current=current)
    field.choices = ([("", empty)] if empty is not None else []) + choices
    if len(choices) > PICKER_OVER:
        widget = Picker(attrs=dict(field.widget.attrs))
        widget.set_options(Options(
            Option(code, name, search=f"{cat.by_code[code].name_en} {code}".strip()) for code, name in choices
        ), empty=empty)
        field.widget = widget
    if not field.initial and current is None and empty is None:
        field.initial = cat.default()


# --- Writing (services) ------------------------------------------------------------------------------


def _require_office(actor, committee) -> None:
    from .errors import Forbidden
    from .models import Role
    from .selectors import has_role

    if committee is None or actor is None or not has_role(actor, committee, Role.ADMIN, Role.STAFF):
        raise Forbidden()


def seed(committee) -> int:
    """Give a committee without categories the default list; returns how many rows were written."""
    from .models import Category as Row

    committee_id = getattr(committee, "pk", committee)
    if Row.objects.filter(committee_id=committee_id).exists():
        return 0
    Row.objects.bulk_create([
        Row(committee_id=committee_id, code=e.code, name=e.name, name_en=e.name_en, position=e.position)
        for e in defaults(committee_id).entries
    ], ignore_conflicts=True)
    changed(committee_id)
    return len(Category)


def _rows(committee):
    from .models import Category as Row

    seed(committee)
    return list(Row.objects.select_for_update().filter(committee=committee).order_by("position", "id"))


def _own(committee, category):
    from .errors import NotFound
    from .models import Category as Row

    pk = getattr(category, "pk", category)
    row = Row.objects.select_for_update().filter(committee=committee, pk=pk).first() if isinstance(pk, int) else None
    if row is None:
        raise NotFound()
    return row


def _text(field: str, value, limit: int, *, required: bool) -> str:
    from .errors import Invalid
    from .text import clean

    value = clean(str(value or ""), single_line=True).strip()
    if required and not value:
        raise Invalid(field_errors={field: [_("This field is required.")]})
    if len(value) > limit:
        raise Invalid(field_errors={field: [_("At most %(n)d characters.") % {"n": limit}]})
    return value


def _check_name_free(rows, name: str, exclude=None) -> None:
    from .errors import Invalid

    key = _name_key(name)
    if any(_name_key(r.name) == key for r in rows if r.pk != getattr(exclude, "pk", None)):
        raise Invalid(field_errors={"name": [_("This name is already used in this committee.")]})


def _new_code(rows, wanted: str = "") -> str:
    from .errors import Invalid

    taken = {r.code for r in rows}
    if wanted:
        if not CODE_PATTERN.fullmatch(wanted):
            raise Invalid(field_errors={"code": [_(
                "A code is 1 to 16 lower-case letters, digits, - or _, beginning with a letter.")]})
        if wanted in taken:
            raise Invalid(field_errors={"code": [_("This code is already used in this committee.")]})
        return wanted
    n = len(rows) + 1
    while f"c{n}" in taken:
        n += 1
    return f"c{n}"


def _create(actor, committee, rows, *, name, name_en="", code="", source=""):
    from . import audit
    from .models import Category as Row

    row = Row.objects.create(committee=committee, code=_new_code(rows, code), name=name, name_en=name_en,
                             position=max((r.position for r in rows), default=0) + 1)
    rows.append(row)
    payload = {"code": row.code, "name": row.name, "name_en": row.name_en}
    if source:
        payload["source"] = source
    audit.record(actor=actor, action="category.created", obj=row, committee=committee, payload=payload)
    return row


def category_create(*, actor, committee, name, name_en: str = "", code: str = ""):
    """Add a category at the end of the committee's list (office staff and administrators). The code is
    given (lower-case letters, digits, - and _) or made up (c8, c9 …); names are unique in the committee."""
    from .errors import Invalid

    _require_office(actor, committee)
    name = _text("name", name, NAME_MAX, required=True)
    name_en = _text("name_en", name_en, NAME_EN_MAX, required=False)
    code = _text("code", code, CODE_MAX, required=False).lower()
    try:
        with transaction.atomic():
            rows = _rows(committee)
            _check_name_free(rows, name)
            row = _create(actor, committee, rows, name=name, name_en=name_en, code=code)
            changed(committee)
    except IntegrityError:  # two people adding the same name at once
        raise Invalid(field_errors={"name": [_("This name is already used in this committee.")]}) from None
    return row


def category_update(*, actor, committee, category, name, name_en: str = ""):
    """Rename a category (its code, and so every record filed under it, stays): the audit event keeps the old
    and the new name."""
    from . import audit
    from .errors import Invalid
    from .services import _apply_changes

    _require_office(actor, committee)
    name = _text("name", name, NAME_MAX, required=True)
    name_en = _text("name_en", name_en, NAME_EN_MAX, required=False)
    try:
        with transaction.atomic():
            rows = _rows(committee)
            row = _own(committee, category)
            _check_name_free(rows, name, exclude=row)
            found = _apply_changes(row, {"name": name, "name_en": name_en})
            if found:
                row.save()
                audit.record(actor=actor, action="category.updated", obj=row, committee=committee,
                             payload={"changes": found, "code": row.code})
                changed(committee)
    except IntegrityError:
        raise Invalid(field_errors={"name": [_("This name is already used in this committee.")]}) from None
    return row


def category_move(*, actor, committee, category, direction: str):
    """Move a category one place "up" or "down" in the list (the order forms and statistics show)."""
    from . import audit
    from .errors import Invalid

    _require_office(actor, committee)
    if direction not in ("up", "down"):
        raise Invalid(field_errors={"direction": [_("Choose one of the offered values.")]})
    with transaction.atomic():
        rows = _rows(committee)
        row = _own(committee, category)
        index = next(i for i, r in enumerate(rows) if r.pk == row.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(rows):
            return row
        rows[index], rows[other] = rows[other], rows[index]
        for position, r in enumerate(rows, start=1):
            if r.position != position:
                r.position = position
                r.save(update_fields=["position", "changed_at"])
        row = rows[other]
        audit.record(actor=actor, action="category.moved", obj=row, committee=committee,
                     payload={"code": row.code, "direction": direction, "position": row.position})
        changed(committee)
    return row


def category_set_active(*, actor, committee, category, active: bool):
    """Take a category out of use (forms stop offering it; records filed under it keep it and its name) or
    back into use. The last active category cannot be taken out of use."""
    from . import audit
    from .errors import Conflict

    _require_office(actor, committee)
    with transaction.atomic():
        rows = _rows(committee)
        row = _own(committee, category)
        if row.active == bool(active):
            return row
        if not active and not any(r.active for r in rows if r.pk != row.pk):
            raise Conflict(_("The last category in use cannot be taken out of use."))
        row.active = bool(active)
        row.save(update_fields=["active", "changed_at"])
        audit.record(actor=actor, action="category.activated" if active else "category.deactivated", obj=row,
                     committee=committee, payload={"code": row.code, "name": row.name})
        changed(committee)
    return row


def in_use(committee, code) -> bool:
    """Whether any record of the committee (of any app: every model with `Categorized`) is filed under `code`."""
    committee_id = getattr(committee, "pk", committee)
    return any(m._default_manager.filter(committee_id=committee_id, category=code).exists() for m in categorized_models())


def category_delete(*, actor, committee, category) -> None:
    """Delete a category no record was ever filed under (a used one can only be taken out of use)."""
    from . import audit
    from .errors import Conflict

    _require_office(actor, committee)
    with transaction.atomic():
        rows = _rows(committee)
        row = _own(committee, category)
        if in_use(committee, row.code):
            raise Conflict(_("Records are filed under this category: take it out of use instead of deleting it."))
        if not any(r.active for r in rows if r.pk != row.pk):
            raise Conflict(_("The last category in use cannot be taken out of use."))
        audit.record(actor=actor, action="category.deleted", obj=row, committee=committee,
                     payload={"code": row.code, "name": row.name})
        row.delete()
        changed(committee)


def categories_named(*, actor, committee, names, source: str = "import") -> dict[str, str]:
    """The codes of these category names in the committee's list ({name: code}), creating those it does not
    hold yet (audited as created by `source`): the past-proposal import brings the committee's own names."""
    _require_office(actor, committee)
    out: dict[str, str] = {}
    with transaction.atomic():
        rows = _rows(committee)
        created = False
        for raw in names:
            name = _text("category", raw, NAME_MAX, required=True)
            key = _name_key(name)
            row = next((r for r in rows if key in (_name_key(r.name), _name_key(r.name_en), r.code)), None)
            if row is None:
                row = _create(actor, committee, rows, name=name, source=source)
                created = True
            out[raw] = row.code
        if created:
            changed(committee)
    return out


def event_label(action: str):
    """The timeline's names of the category events (core's own prefix `category`)."""
    return {
        "category.created": _("category added"),
        "category.updated": _("category renamed"),
        "category.moved": _("category moved"),
        "category.activated": _("category back in use"),
        "category.deactivated": _("category out of use"),
        "category.deleted": _("category deleted"),
    }.get(action)
