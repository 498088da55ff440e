"""Forms of the liaison screens. They parse what a page posts and give the `data` of one service call; they
never write. Each action form posts the field names of its transition's input schema (workflow.py) plus
`expected_version`; the schema checks the input again in the service and its errors come back next to
these fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xieshang.core.text import text_field
from xieshang.opinions import forms as opinion_forms
from xieshang.core.forms import DateInput

from .models import (
    HEARD_LIMIT, INSTRUCTION_LIMIT, NAME_LIMIT, NOTE_LIMIT, REPORT_LIMIT, SUGGESTION_LIMIT, TASK_LIMIT, TITLE_LIMIT,
    PersonKind, ReportKind, TargetKind,
)


def _all():
    return ("", _("All"))


class FilterForm(forms.Form):
    """The filters of a register (its ListDef) and of its Excel export. Bad values are dropped and reported."""

    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=())
    page_size = forms.TypedChoiceField(label=_("Per page"), required=False, coerce=int, choices=(), empty_value=None)

    def __init__(self, data=None, *args, listdef=None, choices=None, **kwargs):
        self.listdef = listdef
        super().__init__(data, *args, **kwargs)
        fields = {}
        for f in listdef.filters:
            if f.kind == "flag":
                fields[f.key] = forms.BooleanField(label=f.label, required=False)
            elif f.kind == "text":
                fields[f.key] = forms.CharField(label=f.label, required=False, max_length=100)
            elif f.kind == "int" and f.key not in (choices or {}):
                fields[f.key] = forms.IntegerField(label=f.label, required=False, min_value=1, max_value=2**31)
            else:
                fields[f.key] = forms.ChoiceField(label=f.label, required=False,
                                                  choices=[_all(), *(choices or {}).get(f.key, [])])
        self.fields = {**fields, **self.fields}
        self.fields["sort"].choices = [("", _("Default order")), *listdef.sort_choices()]
        self.fields["page_size"].choices = [(n, n) for n in listdef.page_sizes]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("data-testid", f"filter-{name}")

    def params(self) -> dict:
        self.is_valid()
        return self.listdef.params(getattr(self, "cleaned_data", {}), skip=list(self.errors))


# --- Creating ---------------------------------------------------------------------------------------------------


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    title = text_field(TITLE_LIMIT, label=_("Title"), single_line=True)
    body = text_field(REPORT_LIMIT, label=_("Text"), widget=forms.Textarea(attrs={"rows": 14}))

    def to_data(self) -> dict:
        return dict(self.cleaned_data)


class RuleForm(forms.Form):
    title = text_field(TITLE_LIMIT, label=_("Title"), single_line=True)
    meeting = text_field(NAME_LIMIT, label=_("Adopted by (meeting)"), single_line=True,
                         help_text=_("For example: the 12th chairpersons' meeting of the 13th committee."))
    adopted_on = forms.DateField(label=_("Adopted on"), widget=DateInput())
    note = text_field(NOTE_LIMIT, label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("Text of the rule"), required=False)

    def to_data(self) -> dict:
        c = dict(self.cleaned_data)
        c.pop("file", None)
        c["adopted_on"] = c["adopted_on"].isoformat()
        return c


class RevisionForm(forms.Form):
    date = forms.DateField(label=_("Revised on"), widget=DateInput())
    meeting = text_field(NAME_LIMIT, label=_("Revised by (meeting)"), single_line=True)
    note = text_field(NOTE_LIMIT, label=_("What changed"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("Revised text"), required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def to_data(self) -> dict:
        c = dict(self.cleaned_data)
        c.pop("file", None)
        c.pop("expected_version", None)
        c["date"] = c["date"].isoformat()
        return c


class TaskForm(forms.Form):
    title = text_field(TITLE_LIMIT, label=_("Title"), single_line=True)
    source_document = text_field(NAME_LIMIT * 2, label=_("Source document"), single_line=True)
    content = text_field(TASK_LIMIT, label=_("Content"), widget=forms.Textarea(attrs={"rows": 5}))
    owner_kind = forms.ChoiceField(label=_("Owner"), choices=(("office", _("the office")),
                                                              ("special_committee", _("a special committee"))))
    special_committee = forms.TypedChoiceField(label=_("Special committee"), coerce=int, choices=(), required=False,
                                               empty_value=None)
    assigned_on = forms.DateField(label=_("Assigned on"), required=False, widget=DateInput())
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput(),
                             help_text=_("Leave empty for the usual time in working days."))

    def __init__(self, *args, specials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["special_committee"].choices = [("", _("(none)"))] + [(s.pk, s.name) for s in specials]

    def to_data(self) -> dict:
        return opinion_forms.ActionForm.to_data(self)


class PersonForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PersonKind.choices, initial=PersonKind.ENTREPRENEUR)
    name = text_field(NAME_LIMIT, label=_("Name"), required=False, single_line=True)
    affiliation = text_field(NAME_LIMIT * 2, label=_("Organisation and post"), required=False, single_line=True)


PersonFormSet = forms.formset_factory(PersonForm, extra=4, max_num=200, absolute_max=200)


class VisitForm(forms.Form):
    leader = forms.TypedChoiceField(label=_("Leader"), coerce=int, choices=(), required=False, empty_value=None)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    place = text_field(NAME_LIMIT * 2, label=_("Place"), single_line=True)
    subject = text_field(TITLE_LIMIT, label=_("Subject"), single_line=True)
    heard = text_field(HEARD_LIMIT, label=_("What was heard"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    suggestions = text_field(SUGGESTION_LIMIT * 10, label=_("Suggestions brought back"), required=False,
                             widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One suggestion per line."))
    companions = forms.TypedMultipleChoiceField(label=_("Members accompanying"), coerce=int, choices=(),
                                                required=False, widget=forms.SelectMultiple(attrs={"size": 4}))

    def __init__(self, *args, leaders=(), members=(), with_suggestions=True, **kwargs):
        super().__init__(*args, **kwargs)
        leaders = list(leaders)
        if leaders:
            self.fields["leader"].choices = [("", _("Choose…"))] + [(u.pk, u.display_name) for u in leaders]
        else:
            del self.fields["leader"]
        self.fields["companions"].choices = [(m.pk, m.name) for m in members]
        if not with_suggestions:
            del self.fields["suggestions"]

    def to_data(self, people) -> dict:
        c = self.cleaned_data
        data = {"date": c["date"].isoformat(), "place": c["place"], "subject": c["subject"], "heard": c["heard"],
                "companions": list(c.get("companions") or []), "people": people,
                "suggestions": [line.strip() for line in (c.get("suggestions") or "").split("\n") if line.strip()]}
        if c.get("leader"):
            data["leader"] = c["leader"]
        return data


def people_of(formset) -> list[dict]:
    return [{"kind": f.cleaned_data["kind"], "name": f.cleaned_data["name"],
             "affiliation": f.cleaned_data.get("affiliation") or ""}
            for f in formset.forms if getattr(f, "cleaned_data", None) and f.cleaned_data.get("name")]


class SuggestionForm(forms.Form):
    text = text_field(SUGGESTION_LIMIT, label=_("Suggestion"), widget=forms.Textarea(attrs={"rows": 3}))


# --- Actions on the detail pages ----------------------------------------------------------------------------


class ActionForm(opinion_forms.ActionForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def to_data(self) -> dict:
        data = super().to_data()
        data.pop("expected_version", None)
        return data


class EmptyForm(ActionForm):
    pass


class ReasonForm(ActionForm):
    reason = text_field(NOTE_LIMIT, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class UpdateForm(ActionForm):
    kind = ReportForm.base_fields["kind"]
    title = ReportForm.base_fields["title"]
    body = ReportForm.base_fields["body"]


class SendForm(ActionForm):
    document_number = text_field(40, label=_("Document number"), single_line=True)
    sent_on = forms.DateField(label=_("Sent on"), widget=DateInput())


class InstructionForm(ActionForm):
    instruction_by = text_field(NAME_LIMIT, label=_("Instruction given by"), single_line=True)
    instruction_on = forms.DateField(label=_("Instruction date"), widget=DateInput())
    text = text_field(INSTRUCTION_LIMIT, label=_("Instruction"), widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(ActionForm):
    text = text_field(NOTE_LIMIT, label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))


class CompleteForm(ActionForm):
    result = text_field(NOTE_LIMIT, label=_("Result"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(ActionForm):
    due_on = forms.DateField(label=_("New due date"), widget=DateInput())


class ConvertForm(ActionForm):
    to = forms.ChoiceField(label=_("Turn into"), choices=TargetKind.choices, widget=forms.RadioSelect)
    title = text_field(100, label=_("Title"), required=False, single_line=True,
                       help_text=_("Leave empty to start from the suggestion's text."))
    member = forms.TypedChoiceField(label=_("Member who carries the draft on"), coerce=int, choices=(),
                                    required=False, empty_value=None)
    place = forms.TypedChoiceField(label=_("Station or studio (for a demand)"), coerce=int, choices=(),
                                   required=False, empty_value=None)
    owner_kind = forms.ChoiceField(label=_("Owner (for a task)"), required=False, initial="office",
                                   choices=TaskForm.base_fields["owner_kind"].choices)
    due_on = forms.DateField(label=_("Due date (for a task)"), required=False, widget=DateInput())

    def setup(self):
        if "targets" in self.ctx:
            self.fields["to"].choices = self.ctx["targets"]
        self.fields["member"].choices = [("", _("The visiting leader"))] + [
            (m.pk, m.name) for m in self.ctx.get("members", [])]
        self.fields["place"].choices = [("", _("Choose…"))] + [(p.pk, p.name) for p in self.ctx.get("places", [])]
        self.fields["special_committee"] = forms.TypedChoiceField(
            label=_("Special committee (for a task)"), coerce=int, required=False, empty_value=None,
            choices=[("", _("(none)"))] + [(s.pk, s.name) for s in self.ctx.get("specials", [])])


class NotedForm(ActionForm):
    note = text_field(NOTE_LIMIT, label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


ACTION_FORMS = {
    "report": {"update": UpdateForm, "submit": EmptyForm, "approve": EmptyForm, "return": ReasonForm,
               "send": SendForm, "record_instruction": InstructionForm, "withdraw": ReasonForm},
    "task": {"note": NoteForm, "complete": CompleteForm, "extend": ExtendForm, "cancel": ReasonForm,
             "reopen": EmptyForm},
    "suggestion": {"convert": ConvertForm, "note": NotedForm, "reopen": EmptyForm},
}
DANGER = {"withdraw", "cancel", "return"}
