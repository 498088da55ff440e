"""Forms of the activity and place screens. They parse what a page posts and give the `data` of one service
call (the field names of the input schemas in workflow.py: PlanInput, RecordInput, OutcomeInput, ReasonInput,
PlaceInput); they never write. The schema checks the input again in the service, and its errors come back
next to these fields, with everything typed kept.
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from xieshang.core import pickers
from xieshang.core.forms import DateInput, TimeInput
from xieshang.core.pickers import member_field, member_options, unit_field, use_members, use_units
from xieshang.core.models import SpecialCommittee
from xieshang.core.text import text_field

from .models import MINUTES_LIMIT, TOPIC_LIMIT, ActivityKind, ActivityState, Attendance, OwnerKind, PlaceKind


def _plain(value):
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


# --- The plan (new activity, edit the plan) ------------------------------------------------------------------


class PlanForm(forms.Form):
    """An activity's plan (PlanInput). `places`: the places the user may organise at ((id, label) pairs);
    `specials`: the special committees (staff only; empty for keepers); a new plan only shows the organiser."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices, initial=ActivityKind.CONSULTATION)
    topic = text_field(TOPIC_LIMIT, label=_("Topic"), single_line=True)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=TimeInput())
    location = text_field(120, label=_("Location"), required=False, single_line=True)
    place = forms.TypedChoiceField(label=_("Place"), required=False, coerce=int, choices=(), empty_value=None)
    special_committee = forms.TypedChoiceField(label=_("or a special committee"), required=False, coerce=int,
                                               choices=(), empty_value=None)
    members = member_field(_("Invited members"))
    units = unit_field(_("Invited departments"))
    citizens_invited = text_field(200, label=_("Citizens invited"), required=False, single_line=True,
                                  help_text=_("Who is invited from the public, e.g. residents of the community."))
    notice = text_field(4000, label=_("Notice"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, places=(), specials=(), members=None, units=(), unit_opts=None, new=True, **kwargs):
        super().__init__(*args, **kwargs)
        if new:
            self.fields["place"].choices = [("", "—"), *places]
            if specials:
                self.fields["special_committee"].choices = [("", "—"), *specials]
            else:
                del self.fields["special_committee"]
        else:
            del self.fields["place"]
            del self.fields["special_committee"]
        use_members(self.fields["members"], members or pickers.Options())
        use_units(self.fields["units"], unit_opts or pickers.unit_options(units))
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("data-testid", f"field-{name}")

    def to_data(self) -> dict:
        data = {k: _plain(v) for k, v in self.cleaned_data.items() if k != "version" and v not in (None, "")}
        data["members"] = list(self.cleaned_data.get("members") or [])
        data["units"] = list(self.cleaned_data.get("units") or [])
        return data


# --- Holding and correcting the record --------------------------------------------------------------------------

ATTENDANCE_CHOICES = [(Attendance.PRESENT, Attendance.PRESENT.label), (Attendance.LEAVE, Attendance.LEAVE.label),
                      (Attendance.ABSENT, Attendance.ABSENT.label)]


class RecordForm(forms.Form):
    """hold / record (RecordInput): for each invited member present, on leave or absent; members on duty who
    were not invited; citizens; departments present; the minutes."""

    added = member_field(_("Other members present (on duty, not invited)"))
    citizens_count = forms.IntegerField(label=_("Citizens present"), min_value=0, max_value=100000, initial=0)
    units_present = unit_field(_("Departments present"))
    minutes = text_field(MINUTES_LIMIT, label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 10}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, participants=(), members=None, units=(), unit_opts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = list(participants)
        self.rows = []
        for row in self.participants:
            name = f"att_{row.member_id}"
            initial = row.status if row.status != Attendance.INVITED else Attendance.PRESENT
            self.fields[name] = forms.ChoiceField(label=row.member.name, choices=ATTENDANCE_CHOICES, initial=initial,
                                                  widget=forms.RadioSelect(attrs={"data-testid": f"attendance-{row.member_id}"}))
            self.rows.append({"member": row.member, "field": self[name]})
        use_members(self.fields["added"], members or pickers.Options())
        use_units(self.fields["units_present"], unit_opts or pickers.unit_options(units))
        for name in ("citizens_count", "minutes", "added", "units_present"):
            self.fields[name].widget.attrs.setdefault("data-testid", f"field-{name}")

    def to_data(self) -> dict:
        present, leave = [], []
        for row in self.participants:
            status = self.cleaned_data.get(f"att_{row.member_id}")
            if status == Attendance.PRESENT:
                present.append(row.member_id)
            elif status == Attendance.LEAVE:
                leave.append(row.member_id)
        invited = {row.member_id for row in self.participants}
        present += [m for m in self.cleaned_data.get("added") or [] if m not in invited]
        return {"present": present, "leave": leave, "citizens_count": self.cleaned_data.get("citizens_count") or 0,
                "units_present": list(self.cleaned_data.get("units_present") or []),
                "minutes": self.cleaned_data.get("minutes") or ""}


class ReasonForm(forms.Form):
    reason = text_field(1000, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_cancel_%s")
        super().__init__(*args, **kwargs)

    def to_data(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class OutcomeForm(forms.Form):
    """One line of the outcome list (OutcomeInput): the owner's kind and, for a unit or a member, which one."""

    text = text_field(500, label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}))
    owner_kind = forms.ChoiceField(label=_("Owner"), choices=OwnerKind.choices, initial=OwnerKind.UNIT,
                                   widget=forms.RadioSelect)
    owner_unit = unit_field(_("Handling unit"), multiple=False)
    owner_member = forms.TypedChoiceField(label=_("Member"), required=False, coerce=int, choices=(),
                                          empty_value=None, widget=pickers.Picker())
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(self, *args, members=None, units=(), unit_opts=None, **kwargs):
        kwargs.setdefault("auto_id", "id_outcome_%s")
        super().__init__(*args, **kwargs)
        members = members or pickers.Options()
        self.fields["owner_member"].choices = members.choices(empty="")
        self.fields["owner_member"].widget.set_options(members, empty="")
        options = unit_opts or pickers.unit_options(units)
        self.fields["owner_unit"].choices = options.choices(empty="")
        self.fields["owner_unit"].widget.set_options(options, empty="")
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("data-testid", f"outcome-{name}")

    def to_data(self) -> dict:
        data = {k: _plain(v) for k, v in self.cleaned_data.items() if v not in (None, "")}
        if data.get("owner_kind") != OwnerKind.UNIT:
            data.pop("owner_unit", None)
        if data.get("owner_kind") != OwnerKind.MEMBER:
            data.pop("owner_member", None)
        return data


class PhotoForm(forms.Form):
    file = forms.FileField(label=_("Photo"), help_text=_("A JPEG or PNG picture."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_photo_%s")
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"accept": "image/jpeg,image/png", "data-testid": "photo-file"})


# --- Places (staff) -----------------------------------------------------------------------------------------------


class PlaceForm(forms.Form):
    """A place (PlaceInput): its kind (only when new), name, county, township, address, rota, resident members."""

    kind = forms.ChoiceField(label=_("Kind"), choices=PlaceKind.choices, initial=PlaceKind.STATION)
    name = text_field(80, label=_("Name"), single_line=True)
    county = text_field(40, label=_("County or city"), single_line=True)
    township = text_field(60, label=_("Township or street"), required=False, single_line=True)
    address = text_field(120, label=_("Address"), required=False, single_line=True)
    special_committee = forms.TypedChoiceField(label=_("Special committee (a sector studio)"), required=False,
                                               coerce=int, choices=(), empty_value=None)
    reception_days = text_field(40, label=_("Reception days of the month"), required=False, single_line=True,
                                help_text=_("For example 10,20: a reception day on the 10th and the 20th."))
    on_duty = forms.IntegerField(label=_("Members on duty"), min_value=0, max_value=20, initial=2)
    opening_hours = text_field(60, label=_("Opening hours"), required=False, single_line=True)
    phone = text_field(30, label=_("Public telephone"), required=False, single_line=True)
    public = forms.BooleanField(label=_("Shown on the public portal"), required=False, initial=True)
    members = member_field(_("Resident members"))

    def __init__(self, *args, committee=None, members=None, new=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not new:
            del self.fields["kind"]
        self.fields["special_committee"].choices = [("", "—"), *(
            (c.pk, c.name) for c in SpecialCommittee.objects.filter(committee=committee).order_by("sort_order", "name"))]
        use_members(self.fields["members"], members or pickers.Options())
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("data-testid", f"field-{name}")

    def to_data(self, kind: str | None = None) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v is not None}
        data["members"] = list(self.cleaned_data.get("members") or [])
        if kind:
            data["kind"] = kind
        return data


# --- Filters ----------------------------------------------------------------------------------------------------------


def _all():
    return ("", _("All"))


class ActivityFilterForm(forms.Form):
    """The activity list's filters (lists ACTIVITIES): bad values are dropped and reported, never a 500."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=())
    state = forms.ChoiceField(label=_("State"), required=False, choices=())
    place = forms.TypedChoiceField(label=_("Place"), required=False, coerce=int, choices=(), empty_value=None)
    county = forms.ChoiceField(label=_("County or city"), required=False, choices=())
    special_committee = forms.TypedChoiceField(label=_("Special committee"), required=False, coerce=int,
                                               choices=(), empty_value=None)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, choices=(), empty_value=None)
    month = forms.TypedChoiceField(label=_("Month"), required=False, coerce=int, empty_value=None,
                                   choices=[_all(), *((m, m) for m in range(1, 13))])
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=())
    page_size = forms.TypedChoiceField(label=_("Per page"), required=False, coerce=int, choices=(), empty_value=None)

    def __init__(self, data=None, *, listdef, places=(), counties=(), specials=(), years=(), **kwargs):
        self.listdef = listdef
        if data is not None and not data.get("page_size"):
            data = data.copy()
            data["page_size"] = str(listdef.default_page_size)
        super().__init__(data, **kwargs)
        self.fields["kind"].choices = [_all(), *ActivityKind.choices]
        self.fields["state"].choices = [_all(), *ActivityState.choices]
        self.fields["place"].choices = [_all(), *places]
        self.fields["county"].choices = [_all(), *((c, c) for c in counties)]
        self.fields["special_committee"].choices = [_all(), *specials]
        self.fields["year"].choices = [_all(), *((y, y) for y in years)]
        self.fields["sort"].choices = [("", _("Default order")), *listdef.sort_choices()]
        self.fields["page_size"].choices = [(n, n) for n in listdef.page_sizes]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("data-testid", f"filter-{name}")

    def params(self) -> dict:
        self.is_valid()
        return self.listdef.params(getattr(self, "cleaned_data", {}), skip=self.errors)


class PlaceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=())
    county = forms.ChoiceField(label=_("County or city"), required=False, choices=())
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, choices=(), empty_value=None)

    def __init__(self, data=None, *, counties=(), years=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["kind"].choices = [_all(), *PlaceKind.choices]
        self.fields["county"].choices = [_all(), *((c, c) for c in counties)]
        self.fields["year"].choices = [(y, y) for y in years]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("data-testid", f"filter-{name}")

    def params(self) -> dict:
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {k: v for k, v in cleaned.items() if k not in self.errors and v not in (None, "")}
