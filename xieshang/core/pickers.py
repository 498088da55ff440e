"""Searchable pickers: a <select> whose options are grouped (<optgroup>) in the order given and carry
extra words to search by (short names, aliases), which app.js turns into a Tom Select widget (vendored in
static/vendor/tom-select, Apache-2.0; initialised from `data-picker`, no inline script under the CSP).
Without JavaScript it is an ordinary select with the same groups and order.

Any app's form uses it:

    units = pickers.unit_options(pickers.units_to_assign(committee))   # one query, share it between fields
    field = pickers.UnitChoiceField(label=…)            # or UnitMultipleChoiceField
    field.use(units)                                   # in the form's __init__ (per form instance)

or the widgets alone with any options (`Picker(options=[Option(value, label, group, search)])`,
`MultiPicker`). A page that shows such a form puts `{{ form.media }}` in its `head` block (the library's
script and style). `units_named_in(text, units)` finds the units a free text names ("州农业农村局、发改委"),
for preselecting what a proposer suggested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import HandlingUnit, Member

TOM_SELECT_JS = "vendor/tom-select/tom-select.complete.min.js"
TOM_SELECT_CSS = "vendor/tom-select/tom-select.min.css"


@dataclass(frozen=True)
class Option:
    value: object
    label: str
    group: str = ""
    search: str = ""  # more words that find the option (not shown): short names, aliases


class Options(list):
    """Options in their display order; `choices()` groups them (consecutive options of one group form one
    <optgroup>, groups in the order they first appear), `search` maps str(value) to its search words."""

    def choices(self, *, empty: str | None = None) -> list:
        out: list = [("", empty)] if empty is not None else []
        groups: dict[str, list] = {}
        for option in self:
            if not option.group:
                out.append((option.value, option.label))
                continue
            if option.group not in groups:
                groups[option.group] = []
                out.append((option.group, groups[option.group]))
            groups[option.group].append((option.value, option.label))
        return out

    @property
    def search(self) -> dict[str, str]:
        return {str(o.value): o.search for o in self if o.search}


class Picker(forms.Select):
    """One choice from a searchable list. The template renders every option in one loop (no template per
    option: a page of twenty pickers of a hundred units stays fast)."""

    template_name = "core/widgets/picker.html"

    class Media:
        js = (TOM_SELECT_JS,)
        css = {"all": (TOM_SELECT_CSS,)}

    def __init__(self, attrs=None, options=(), placeholder=""):
        super().__init__(attrs)
        self.placeholder = placeholder
        self.search: dict[str, str] = {}
        if options:
            self.set_options(Options(options))

    def set_options(self, options: Options, *, empty: str | None = None) -> None:
        self.choices = options.choices(empty=empty)
        self.search = options.search

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["search"] = self.search.get(str(value), "")
        return option

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["placeholder"] = self.placeholder or _("Type to search…")
        context["widget"]["no_results"] = _("Nothing matches.")
        return context


class MultiPicker(Picker, forms.SelectMultiple):
    """Several choices from a searchable list (a multiple select without JavaScript)."""

    allow_multiple_selected = True

    def __init__(self, attrs=None, options=(), placeholder=""):
        super().__init__({"size": 6, **(attrs or {})}, options, placeholder)


# --- Handling units --------------------------------------------------------------------------------

KIND_ORDER = {value: i for i, value in enumerate(HandlingUnit.Kind.values)}


def units_to_assign(committee) -> list[HandlingUnit]:
    """The committee's active handling units as the office orders them: by kind (in the order of
    HandlingUnit.Kind), then by the unit's order (sort_order), then by name. One query."""
    units = list(HandlingUnit.objects.filter(committee=committee, is_active=True).order_by("sort_order", "name"))
    return sorted(units, key=lambda u: KIND_ORDER.get(u.kind, len(KIND_ORDER)))


def unit_options(units) -> Options:
    """Picker options of `units` (in their order), grouped by kind; the short name and the other names
    (aliases) are searchable."""
    kinds = dict(HandlingUnit.Kind.choices)
    return Options(
        Option(u.pk, u.name, str(kinds.get(u.kind, u.kind)), " ".join(w for w in (u.short_name, *_words(u.aliases)) if w))
        for u in units
    )


_SEPARATORS = re.compile(r"[、,，;；/／\s]+")


def _words(text: str) -> list[str]:
    """The names a free text lists (separated by 、 , ； / or spaces), without surrounding punctuation."""
    return [w for w in (w.strip("。.()（）") for w in _SEPARATORS.split(text or "")) if w]


def units_named_in(text: str, units) -> list:
    """The units `text` names, in the order it names them, each once: a word equal to a unit's name, short
    name or one of its other names, else the one unit whose name contains the word (two or more characters) or that the word
    contains."""
    units = list(units)
    found: list = []
    for word in _words(text):
        exact = [u for u in units if word in (u.name, u.short_name, *_words(u.aliases))]
        near = exact or [u for u in units if (len(word) >= 2 and word in u.name) or (u.name in word)]
        if len(near) == 1 or exact:
            unit = near[0]
            if unit not in found:
                found.append(unit)
    return found


class _UnitField:
    """What both unit fields share: `use(units, options=None)` in the form's __init__ sets the units they
    accept and the picker's options (pass the same `unit_options(units)` to several fields)."""

    empty: str | None = None

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", HandlingUnit.objects.none())
        super().__init__(**kwargs)

    def use(self, units, options: Options | None = None) -> None:
        units = list(units)
        self.queryset = HandlingUnit.objects.filter(pk__in=[u.pk for u in units])
        self.widget.set_options(options if options is not None else unit_options(units), empty=self.empty)


class UnitChoiceField(_UnitField, forms.ModelChoiceField):
    """One handling unit in a picker."""

    widget = Picker
    empty = ""


class UnitMultipleChoiceField(_UnitField, forms.ModelMultipleChoiceField):
    """Several handling units in a picker."""

    widget = MultiPicker


# --- Member and unit fields of a form (the options: one query each; a page shares them between its fields) ------


def member_options(committee) -> Options:
    """The committee's active members, grouped by sector (searchable by employer)."""
    rows = Member.objects.filter(committee=committee, is_active=True).select_related("sector").order_by(
        "sector__sort_order", "sector__name", "name", "id")
    return Options(Option(m.pk, m.name, m.sector.name if m.sector_id else str(_("Other members")),
                          m.employer) for m in rows)


def member_field(label, *, required=False) -> forms.TypedMultipleChoiceField:
    """A searchable choice of several members (fill it with `use_options(field, member_options(committee))`)."""
    return forms.TypedMultipleChoiceField(label=label, required=required, coerce=int, choices=(),
                                          widget=MultiPicker())


def unit_field(label, *, multiple=True, required=False):
    """A searchable choice of one or several handling units (fill it with `use_options(field, unit_options(…))`)."""
    if multiple:
        return forms.TypedMultipleChoiceField(label=label, required=required, coerce=int, choices=(),
                                              widget=MultiPicker())
    return forms.TypedChoiceField(label=label, required=required, coerce=int, choices=(), empty_value=None,
                                  widget=Picker())


def use_options(field, options: Options) -> None:
    """The field's choices and its picker's options, from the same list."""
    field.choices = options.choices()
    field.widget.set_options(options)


use_members = use_units = use_options  # the names the forms read
