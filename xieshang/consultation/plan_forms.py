"""The plan and topic screens' forms. Field names are the input schemas' (plan_workflow.py), so a service error
lands next to its field; free text is normalised by core.text as in the schemas."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xieshang.core.models import Organization, SpecialCommittee
from xieshang.core.text import text_field
from xieshang.core.pickers import member_field, member_options, use_members

from .forms import DATE, ListFilterForm, _all, _testids
from .models import (
    CALL_TEXT_LIMIT, DOC_NUMBER_LIMIT, MAX_HALF_DAYS, NOTICE_LIMIT, PLACE_LIMIT, REASON_LIMIT, TITLE_LIMIT,
    TOPIC_REASON_LIMIT, TOPIC_TITLE_LIMIT, MeetingForm, TopicSource, TopicState,
)

MONTHS = [(m, str(m)) for m in range(1, 13)]


def _iso(d: dict, *keys) -> dict:
    for key in keys:
        d[key] = d[key].isoformat() if d.get(key) else None
    return d


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2200)
    deadline = forms.DateField(label=_("Topics due by"), widget=DATE)
    text = text_field(CALL_TEXT_LIMIT, label=_("Text of the call"), required=False,
                      widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _testids(self)

    def data_for_service(self) -> dict:
        return _iso(dict(self.cleaned_data), "deadline")


class TopicForm(forms.Form):
    title = text_field(TOPIC_TITLE_LIMIT, single_line=True, label=_("Title"))
    reason = text_field(TOPIC_REASON_LIMIT, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 6}),
                        help_text=_("Why this topic, and what the consultation should achieve."))
    form = forms.ChoiceField(label=_("Suggested form"), choices=MeetingForm.choices)
    sponsor = forms.TypedChoiceField(label=_("Sponsoring special committee"), required=False, coerce=int,
                                     empty_value=None, choices=())
    source = forms.ChoiceField(label=_("Submitted by"), choices=TopicSource.choices, initial="member")
    organization = forms.TypedChoiceField(label=_("Party or group"), required=False, coerce=int, empty_value=None,
                                          choices=(), help_text=_("When you submit for a party or group."))
    special_committee = forms.TypedChoiceField(label=_("Special committee"), required=False, coerce=int,
                                               empty_value=None, choices=(),
                                               help_text=_("When you submit for a special committee."))

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        scs = [("", "—"), *SpecialCommittee.objects.filter(committee=committee).values_list("pk", "name")]
        self.fields["sponsor"].choices = scs
        self.fields["special_committee"].choices = scs
        self.fields["organization"].choices = [("", "—"), *Organization.objects.filter(committee=committee)
                                               .values_list("pk", "name")]
        _testids(self)


class ShortlistForm(forms.Form):
    month = forms.TypedChoiceField(label=_("Planned month"), coerce=int, choices=MONTHS)


class ArrangeForm(forms.Form):
    month = forms.TypedChoiceField(label=_("Planned month"), coerce=int, choices=MONTHS)
    form = forms.ChoiceField(label=_("Form of consultation"), choices=MeetingForm.choices)
    sponsor = forms.TypedChoiceField(label=_("Sponsoring special committee"), required=False, coerce=int,
                                     empty_value=None, choices=())

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].choices = [("", "—"), *SpecialCommittee.objects.filter(committee=committee)
                                          .values_list("pk", "name")]


class DeclineForm(forms.Form):
    reason = text_field(REASON_LIMIT, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class MergeForm(forms.Form):
    into = forms.TypedChoiceField(label=_("Merge into"), coerce=int, choices=())

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = [(t.pk, t.title) for t in targets]


class ScheduleForm(forms.Form):
    title = text_field(TITLE_LIMIT, single_line=True, label=_("Title of the meeting"), required=False,
                       help_text=_("Empty: the topic's title."))
    start_on = forms.DateField(label=_("First day"), widget=DATE)
    end_on = forms.DateField(label=_("Last day"), widget=DATE, required=False)
    half_days = forms.IntegerField(label=_("Half-days"), min_value=0, max_value=MAX_HALF_DAYS, initial=1)
    place = text_field(PLACE_LIMIT, single_line=True, label=_("Place"), required=False)
    notice = text_field(NOTICE_LIMIT, label=_("Notice"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    members = member_field(_("Invited members (empty: the sponsoring special committee's members)"))

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        use_members(self.fields["members"], member_options(committee))
        _testids(self)

    def data_for_service(self) -> dict:
        d = _iso(dict(self.cleaned_data), "start_on", "end_on")
        d["half_days"] = d.get("half_days") or 0
        return d


class ApprovalForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    document = text_field(DOC_NUMBER_LIMIT, single_line=True, label=_("Document number"))

    def data_for_service(self) -> dict:
        return _iso(dict(self.cleaned_data), "date")


class TopicFilterForm(ListFilterForm):
    """The topic list's filters (plan_lists.TOPICS)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, choices=(), empty_value=None)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[_all(), *TopicState.choices])
    form = forms.ChoiceField(label=_("Suggested form"), required=False, choices=[_all(), *MeetingForm.choices])
    source = forms.ChoiceField(label=_("Submitted by"), required=False, choices=[_all(), *TopicSource.choices])
