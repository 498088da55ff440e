"""The screens' forms. Field names are the input schemas' (workflow.py), so a service error lands next to its
field; free text is normalised by core.text as in the schemas."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from xieshang.core import pickers
from xieshang.core.models import HandlingUnit, Role, RoleAssignment, SpecialCommittee
from xieshang.core.text import text_field
from xieshang.core.pickers import member_field, member_options, unit_field, use_members, use_units

from .models import (
    ANSWER_LIMIT, BODY_LIMIT, DOC_NUMBER_LIMIT, PLACE_LIMIT, REASON_LIMIT, RECIPIENTS_LIMIT, RECOMMENDATION_LIMIT,
    TEXT_LIMIT, TITLE_LIMIT, UNITS_LIMIT, FilePurpose, InspectionKind, InspectionState,
)
from .workflow import DEFAULT_RECIPIENTS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTHS = [(m, f"{m}") for m in range(1, 13)]


def _area(rows=4):
    return forms.Textarea(attrs={"rows": rows})


def _testids(form) -> None:
    for name, field in form.fields.items():
        field.widget.attrs.setdefault("data-testid", f"field-{name}")


def _iso(d: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in d.items()}


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _testids(self)

    def data_for_service(self) -> dict:
        return _iso(dict(self.cleaned_data))


def _special_committees(committee):
    return [("", "—"), *SpecialCommittee.objects.filter(committee=committee).values_list("pk", "name")]


def _leaders(committee):
    rows = RoleAssignment.objects.filter(committee=committee, role=Role.LEADER).select_related("user").order_by("user_id")
    seen = {}
    for r in rows:
        seen.setdefault(r.user_id, r.user.get_full_name() or r.user.username)
    return [("", "—"), *seen.items()]


class InspectionPlanForm(_Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices)
    title = text_field(TITLE_LIMIT, single_line=True, label=_("Topic"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    planned_month = forms.TypedChoiceField(label=_("Planned month"), coerce=int, choices=MONTHS)
    lead_leader = forms.TypedChoiceField(label=_("Lead leader"), coerce=int, required=False, empty_value=None, choices=())
    special_committee = forms.TypedChoiceField(label=_("Sponsoring special committee"), coerce=int, required=False,
                                               empty_value=None, choices=())
    purpose = text_field(TEXT_LIMIT, label=_("Purpose"), required=False, widget=_area())

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_leader"].choices = _leaders(committee)
        self.fields["special_committee"].choices = _special_committees(committee)


class SupervisionPlanForm(_Form):
    title = text_field(TITLE_LIMIT, single_line=True, label=_("Topic"))
    body = text_field(BODY_LIMIT, single_line=True, label=_("Body supervised"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    special_committee = forms.TypedChoiceField(label=_("Sponsoring special committee"), coerce=int, required=False,
                                               empty_value=None, choices=())
    purpose = text_field(TEXT_LIMIT, label=_("Purpose"), required=False, widget=_area())

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["special_committee"].choices = _special_committees(committee)


class TeamForm(_Form):
    leaders = member_field(_("Team leaders"))
    members = member_field(_("Team members"))

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        options = member_options(committee)
        use_members(self.fields["leaders"], options)
        use_members(self.fields["members"], options)


class VisitForm(_Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    place = text_field(PLACE_LIMIT, single_line=True, label=_("Place"))
    units = text_field(UNITS_LIMIT, single_line=True, label=_("Units visited"), required=False)


class FindingsForm(_Form):
    findings = text_field(TEXT_LIMIT, label=_("Findings"), widget=_area(6))


class RecommendationForm(_Form):
    text = text_field(RECOMMENDATION_LIMIT, label=_("Recommendation"), widget=_area(3))
    recipient = text_field(60, single_line=True, label=_("Recipient"), initial="州政府")


class ReportForm(_Form):
    report_title = text_field(TITLE_LIMIT, single_line=True, label=_("Report title"))
    report_text = text_field(TEXT_LIMIT, label=_("Report"), widget=_area(10))
    author = forms.TypedChoiceField(label=_("Written by"), coerce=int, required=False, empty_value=None, choices=())

    def __init__(self, *args, team=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].choices = [("", "—"), *((t.member_id, t.member.name) for t in team)]


class SendForm(_Form):
    recipients = text_field(RECIPIENTS_LIMIT, single_line=True, label=_("Sent to"), initial=DEFAULT_RECIPIENTS)
    sent_on = forms.DateField(label=_("Sent on"), widget=DATE, required=False)


class AnswerForm(_Form):
    recommendation = forms.IntegerField(widget=forms.HiddenInput)
    answer = text_field(ANSWER_LIMIT, label=_("Answer"), widget=_area(3))
    answered_on = forms.DateField(label=_("Answered on"), widget=DATE, required=False)
    adopted = forms.TypedChoiceField(label=_("Adopted"), coerce=lambda v: v == "1",
                                     choices=(("1", _("adopted")), ("0", _("not adopted"))))


class ReasonForm(_Form):
    reason = text_field(REASON_LIMIT, label=_("Reason"), widget=_area(3))


class SupervisionReportForm(_Form):
    report_text = text_field(TEXT_LIMIT, label=_("Report"), widget=_area(8))
    reported_on = forms.DateField(label=_("Reported on"), widget=DATE, required=False)


class FollowUpForm(_Form):
    follow_up = text_field(TEXT_LIMIT, label=_("Follow-up"), widget=_area(4))


class SupervisorForm(_Form):
    member = forms.TypedChoiceField(label=_("Member"), coerce=int, choices=(), widget=pickers.Picker())
    unit = unit_field(_("Body"), multiple=False, required=True)
    requested_on = forms.DateField(label=_("Asked for on"), widget=DATE, required=False)
    term_start = forms.DateField(label=_("Term starts"), widget=DATE)
    term_end = forms.DateField(label=_("Term ends"), widget=DATE)
    note = text_field(REASON_LIMIT, single_line=True, label=_("Note"), required=False)

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        use_members(self.fields["member"], member_options(committee))
        use_units(self.fields["unit"], pickers.unit_options(HandlingUnit.objects.filter(committee=committee, is_active=True)))


class SupervisorReportForm(_Form):
    date = forms.DateField(label=_("Date"), widget=DATE, required=False)
    title = text_field(TITLE_LIMIT, single_line=True, label=_("Title"))
    text = text_field(TEXT_LIMIT, label=_("Text"), widget=_area(6))


class AttachmentForm(_Form):
    """A file for an inspection or a supervision item: what it is and the file (core checks type and size in the
    service; its message lands next to `file`)."""

    purpose = forms.ChoiceField(label=_("The file is"), choices=FilePurpose.choices, initial=FilePurpose.MATERIAL)
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_attachment_%s")
        super().__init__(*args, **kwargs)


class PlanApprovalForm(_Form):
    """The year's plan's approvals: the chairpersons' meeting's (required) and the Party committee's (later)."""

    chair_approved_on = forms.DateField(label=_("Passed by the chairpersons' meeting on"), widget=DATE)
    chair_document = text_field(DOC_NUMBER_LIMIT, single_line=True, label=_("Document number (chairpersons' meeting)"))
    party_approved_on = forms.DateField(label=_("Approved by the Party committee on"), widget=DATE, required=False)
    party_document = text_field(DOC_NUMBER_LIMIT, single_line=True, required=False,
                                label=_("Document number (Party committee)"))


def _all():
    return ("", _("All"))


class FilterForm(forms.Form):
    """A list's filters (lists.py): bad values are dropped, never a 500. Fields the list does not filter on are
    removed."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, choices=(), empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[_all(), *InspectionKind.choices])
    state = forms.ChoiceField(label=_("State"), required=False, choices=())
    special_committee = forms.TypedChoiceField(label=_("Special committee"), required=False, coerce=int, choices=(),
                                               empty_value=None)
    current = forms.ChoiceField(label=_("Terms"), required=False, choices=[_all(), ("1", _("Current terms only"))])
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=())
    page_size = forms.TypedChoiceField(label=_("Per page"), required=False, coerce=int, choices=(), empty_value=None)

    def __init__(self, data=None, *, listdef, committee, years=(), states=InspectionState, **kwargs):
        self.listdef = listdef
        if data is not None and not data.get("page_size"):
            data = data.copy()
            data["page_size"] = str(listdef.default_page_size)
        super().__init__(data, **kwargs)
        keep = {f.key for f in listdef.filters} | {"sort", "page_size"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "year" in self.fields:
            self.fields["year"].choices = [_all(), *((y, y) for y in years)]
        if "state" in self.fields:
            self.fields["state"].choices = [_all(), *states.choices]
        if "special_committee" in self.fields:
            self.fields["special_committee"].choices = [_all(), *_special_committees(committee)[1:]]
        self.fields["sort"].choices = [("", _("Default order")), *listdef.sort_choices()]
        self.fields["page_size"].choices = [(n, n) for n in listdef.page_sizes]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("data-testid", f"filter-{name}")

    def params(self) -> dict:
        self.is_valid()
        return self.listdef.params(getattr(self, "cleaned_data", {}), skip=self.errors)

