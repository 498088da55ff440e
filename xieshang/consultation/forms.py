"""The meeting screens' forms. Field names are the input schemas' (workflow.py), so a service error lands next to
its field; free text is normalised by core.text as in the schemas."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xieshang.core.text import text_field
from xieshang.core.pickers import member_field, member_options, use_members

from .models import (
    MAX_HALF_DAYS, MINUTES_LIMIT, NOTICE_LIMIT, PLACE_LIMIT, REASON_LIMIT, SPEECH_LIMIT, TITLE_LIMIT, MeetingForm,
    MeetingKind, MeetingState, Presence, SpeechKind,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _all():
    return ("", _("All"))


def _testids(form) -> None:
    for name, field in form.fields.items():
        field.widget.attrs.setdefault("data-testid", f"field-{name}")


class MeetingPlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    form = forms.ChoiceField(label=_("Form of consultation"), required=False,
                             choices=[("", "—"), *MeetingForm.choices],
                             help_text=_("Only for consultation meetings."))
    title = text_field(TITLE_LIMIT, single_line=True, label=_("Title"))
    start_on = forms.DateField(label=_("First day"), widget=DATE)
    end_on = forms.DateField(label=_("Last day"), widget=DATE, required=False)
    half_days = forms.IntegerField(label=_("Half-days"), min_value=0, max_value=MAX_HALF_DAYS, initial=0,
                                   help_text=_("How many half-days the meeting lasts (0: not counted in half-days)."))
    place = text_field(PLACE_LIMIT, single_line=True, label=_("Place"), required=False)
    notice = text_field(NOTICE_LIMIT, label=_("Notice"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    members = member_field(_("Invited members (chairpersons' and consultation meetings)"))

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        use_members(self.fields["members"], member_options(committee))
        _testids(self)

    def data_for_service(self) -> dict:
        d = dict(self.cleaned_data)
        for key in ("start_on", "end_on"):
            d[key] = d[key].isoformat() if d.get(key) else None
        d["half_days"] = d.get("half_days") or 0
        return d


class AttendanceForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Attendance"), choices=Presence.choices)
    half_days = forms.IntegerField(label=_("Half-days"), min_value=0, max_value=MAX_HALF_DAYS, required=False)


class SpeechForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Member"), coerce=int, choices=())
    kind = forms.ChoiceField(label=_("Kind"), choices=SpeechKind.choices)
    title = text_field(TITLE_LIMIT, single_line=True, label=_("Title"))
    text = text_field(SPEECH_LIMIT, label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.name) for m in members]
        _testids(self)


class MinutesForm(forms.Form):
    minutes = text_field(MINUTES_LIMIT, label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 8}))
    recipients = text_field(200, single_line=True, label=_("Sent to"), initial="州委、州政府")


class ReasonForm(forms.Form):
    reason = text_field(REASON_LIMIT, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class LeaveDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(coerce=lambda v: v == "1", choices=(("1", _("approve")), ("0", _("refuse"))))
    answer = text_field(REASON_LIMIT, label=_("Answer"), required=False)


class OutcomeReportForm(forms.Form):
    title = text_field(TITLE_LIMIT, single_line=True, label=_("Title"))
    text = text_field(SPEECH_LIMIT, label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    sent_on = forms.DateField(label=_("Sent on"), widget=DATE, required=False)
    recipients = text_field(300, single_line=True, label=_("Recipients"), initial="州委、州政府",
                            help_text=_("Separate the recipients with 、 or commas."))

    def data_for_service(self) -> dict:
        d = dict(self.cleaned_data)
        d["sent_on"] = d["sent_on"].isoformat() if d.get("sent_on") else None
        parts = d["recipients"].replace("，", ",").replace("、", ",").split(",")
        d["recipients"] = [p.strip() for p in parts if p.strip()]
        return d


class FeedbackForm(forms.Form):
    recipient = forms.IntegerField(widget=forms.HiddenInput)
    feedback = text_field(SPEECH_LIMIT, label=_("Feedback"), widget=forms.Textarea(attrs={"rows": 3}))
    feedback_on = forms.DateField(label=_("Received on"), widget=DATE, required=False)


class CodeForm(forms.Form):
    code = text_field(12, single_line=True, label=_("Sign-in code"),
                      widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class ListFilterForm(forms.Form):
    """A list's filters (a core.lists.ListDef): the subclass declares its filter fields; sort and page size here.
    Bad values are dropped, never a 500."""

    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=())
    page_size = forms.TypedChoiceField(label=_("Per page"), required=False, coerce=int, choices=(), empty_value=None)

    def __init__(self, data=None, *, listdef, years=(), **kwargs):
        self.listdef = listdef
        if data is not None and not data.get("page_size"):
            data = data.copy()
            data["page_size"] = str(listdef.default_page_size)
        super().__init__(data, **kwargs)
        self.order_fields([*(n for n in self.fields if n not in ("sort", "page_size")), "sort", "page_size"])
        self.fields["year"].choices = [_all(), *((y, y) for y in years)]
        self.fields["sort"].choices = [("", _("Default order")), *listdef.sort_choices()]
        self.fields["page_size"].choices = [(n, n) for n in listdef.page_sizes]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("data-testid", f"filter-{name}")

    def params(self) -> dict:
        self.is_valid()
        return self.listdef.params(getattr(self, "cleaned_data", {}), skip=self.errors)


class MeetingFilterForm(ListFilterForm):
    """The meeting list's filters (lists.MEETINGS)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, choices=(), empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[_all(), *MeetingKind.choices])
    form = forms.ChoiceField(label=_("Form of consultation"), required=False, choices=[_all(), *MeetingForm.choices])
    state = forms.ChoiceField(label=_("State"), required=False, choices=[_all(), *MeetingState.choices])
