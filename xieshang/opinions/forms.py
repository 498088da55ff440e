"""Forms of the opinion report screens. They parse what a page posts and give the `data` of one service
call; they never write.

Every action form posts exactly the field names of its transition's input schema (workflow.py: the
`input=` Schema of each Transition), so the page, the API and the service read one definition; the
schema checks the input again in the service, and its errors come back next to these fields.
"""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xieshang.core.forms import DateInput
from xieshang.core import categories
from xieshang.core.text import BODY_MAX, text_field

from .models import TEXT_LIMIT, TITLE_LIMIT, Adoption, Bulletin, Level, OpinionState, text_length

TEXT_PARTS = ("situation", "analysis", "suggestion")


def _text_limit_error(form, cleaned) -> None:
    """The three parts together within TEXT_LIMIT: the message (with the limit) next to the text."""
    from .workflow import limit_message

    length = text_length(*(cleaned.get(name) or "" for name in TEXT_PARTS))
    if length > TEXT_LIMIT:
        form.add_error("suggestion", limit_message(length))
    elif length == 0 and not form.errors:
        form.add_error("situation", _("Write the report's text."))


class ReportTextForm(forms.Form):
    """The text of a report: title, category and the three parts (the drafting form and the editing desk)."""

    title = text_field(TITLE_LIMIT, label=_("Title"), single_line=True)
    category = forms.ChoiceField(label=_("Category"), choices=())  # the committee's own list (__init__)
    situation = text_field(
        BODY_MAX, label=_("Situation"), required=False, widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("What is happening, where, since when, how many people it concerns."),
    )
    analysis = text_field(
        BODY_MAX, label=_("Analysis"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Why it happens and what it leads to."),
    )
    suggestion = text_field(
        BODY_MAX, label=_("Suggestion"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What should be done, and by whom."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        categories.use(self.fields["category"], committee,  # default: the request's committee
                       current=(self.data if self.is_bound else self.initial).get("category"))
        self.fields["title"].widget.attrs.setdefault("data-testid", "field-title")
        for name in TEXT_PARTS:
            self.fields[name].widget.attrs.update({"data-count": "report-text", "data-testid": f"field-{name}"})

    def clean(self):
        cleaned = super().clean()
        for name in TEXT_PARTS:  # browsers send line ends as CR LF; count and keep them as one character
            if isinstance(cleaned.get(name), str):
                cleaned[name] = cleaned[name].replace("\r\n", "\n")
        _text_limit_error(self, cleaned)
        return cleaned

    def to_data(self) -> dict:
        data = {name: (self.cleaned_data.get(name) or "").strip() for name in ("title", *TEXT_PARTS)}
        data["category"] = self.cleaned_data.get("category") or self.fields["category"].initial
        return data


class DraftForm(ReportTextForm):
    """New draft and the submitter's edits (create / update); `commission` when it answers a call;
    `submitter` (a new draft only): in whose name — "member" (one's own), "station" (one's liaison
    station), "organization:<id>" (a party or group) or "special_committee:<id>"."""

    commission = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    submitter = forms.ChoiceField(label=_("Submitted in the name of"), required=False, choices=())

    def __init__(self, *args, submitter_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(submitter_choices)
        if len(choices) > 1:
            self.fields["submitter"].choices = choices
            self.fields["submitter"].required = True
        else:
            del self.fields["submitter"]
            self.default_submitter = choices[0][0] if choices else "member"

    def submitter_args(self) -> dict:
        """The keyword arguments of services.opinion_create that name the submitter."""
        value = self.cleaned_data.get("submitter") or getattr(self, "default_submitter", "member")
        kind, _sep, pk = value.partition(":")
        if kind == "organization":
            return {"submitter_kind": kind, "organization": int(pk)}
        if kind == "special_committee":
            return {"submitter_kind": kind, "special_committee": int(pk)}
        return {"submitter_kind": kind}


class EditForm(ReportTextForm):
    """The editing desk (edit, staff): the new text kept as a version, with a short note."""

    note = text_field(200, label=_("Note on this edit"), required=False)


class CombineForm(ReportTextForm):
    """combine: the reports (ticked in the list) and the combined report's text."""

    reports = forms.TypedMultipleChoiceField(
        label=_("Reports to combine"), coerce=int, choices=(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, report_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reports"].choices = list(report_choices)

    def clean_reports(self):
        reports = self.cleaned_data.get("reports") or []
        if len(reports) < 2:
            raise forms.ValidationError(_("Choose at least two reports to combine."))
        return reports


# --- Actions on the detail page ----------------------------------------------------------------


class ActionForm(forms.Form):
    """Base of the action forms. `ctx` carries the choices the page computed once."""

    def __init__(self, *args, ctx=None, action="", **kwargs):
        kwargs.setdefault("auto_id", f"id_{action}_%s" if action else "id_%s")
        super().__init__(*args, **kwargs)
        self.ctx = ctx or {}
        self.setup()

    def setup(self):
        pass

    def to_data(self) -> dict:
        out = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", []):
                continue
            if isinstance(value, datetime.date):
                value = value.isoformat()
            out[name] = value
        return out


class EmptyForm(ActionForm):
    """An action without fields (submit, approve, close …): a button."""


class ReasonForm(ActionForm):
    reason = text_field(1000, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ForwardForm(ActionForm):
    recipients = forms.TypedMultipleChoiceField(
        label=_("Recipients"), coerce=int, choices=(), widget=forms.CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(label=_("Bulletin kind"), required=False, choices=())
    bulletin = forms.TypedChoiceField(label=_("Bulletin issue"), required=False, coerce=int, choices=(), empty_value=None)
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DateInput())

    def setup(self):
        self.fields["recipients"].choices = list(self.ctx.get("recipients", []))
        self.fields["kind"].choices = [("", _("(by the report: combined or special)"))] + list(Bulletin.Kind.choices)
        self.fields["bulletin"].choices = [("", _("A new issue"))] + list(self.ctx.get("bulletins", []))


class AdoptionForm(ActionForm):
    recipient = forms.TypedChoiceField(label=_("Recipient"), coerce=int, choices=())
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    # optional as in the schema (AdoptionInput): single, adopted by default
    kind = forms.ChoiceField(label=_("Single or combined"), choices=Adoption.Kind.choices, initial=Adoption.Kind.SINGLE,
                             required=False)
    manner = forms.ChoiceField(label=_("Manner"), choices=Adoption.Manner.choices, initial=Adoption.Manner.ADOPTED,
                               required=False)
    adopted_on = forms.DateField(label=_("Adopted on"), required=False, widget=DateInput())
    note = text_field(200, label=_("Note"), required=False)

    def setup(self):
        self.fields["recipient"].choices = list(self.ctx.get("forwarded_recipients") or self.ctx.get("recipients", []))


class InstructionForm(ActionForm):
    leader = text_field(40, label=_("Leader"), single_line=True)
    leader_title = text_field(60, label=_("Leader's post"), required=False, single_line=True)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    text = text_field(2000, label=_("Instruction"), widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.XIESHANG_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; files up to %(limit)d MB are accepted."),
                params={"size": upload.size / (1024 * 1024), "limit": limit},
            )
        return upload


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "submit": EmptyForm,
    "resubmit": EmptyForm,
    "withdraw": EmptyForm,
    "start_editing": EmptyForm,
    "return": ReasonForm,
    "decline": ReasonForm,
    "send_for_approval": EmptyForm,
    "send_back": ReasonForm,
    "approve": EmptyForm,
    "forward": ForwardForm,
    "record_adoption": AdoptionForm,
    "record_instruction": InstructionForm,
    "close": EmptyForm,
}
# Actions that have their own page instead of a form on the detail page.
PAGE_ACTIONS = {"update": "opinions:edit", "edit": "opinions:desk"}
# Decisions that must not be taken on an out-of-date page: the form carries the version it was shown with.
VERSIONED_ACTIONS = {"submit", "resubmit", "return", "decline", "send_for_approval", "send_back", "approve", "forward", "close"}
DANGER_ACTIONS = {"withdraw", "decline", "return", "send_back"}


def action_form(action: str, data=None, *, ctx=None) -> ActionForm:
    return ACTION_FORMS[action](data, ctx=ctx, action=action)


# --- Commissions (约稿) -------------------------------------------------------------------------------


class CommissionForm(forms.Form):
    topic = text_field(100, label=_("Topic"), single_line=True)
    description = text_field(2000, label=_("Description"), required=False,
                             widget=forms.Textarea(attrs={"rows": 4}))
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())


# --- Bulletin composer (报送) ----------------------------------------------------------------------------


class BulletinForm(forms.Form):
    """Choose approved reports and the recipients; one issue (the next number) holds them all."""

    reports = forms.TypedMultipleChoiceField(
        label=_("Approved reports"), coerce=int, choices=(), widget=forms.CheckboxSelectMultiple
    )
    recipients = forms.TypedMultipleChoiceField(
        label=_("Recipients"), coerce=int, choices=(), widget=forms.CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(label=_("Bulletin kind"), required=False, choices=())
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DateInput())

    def __init__(self, *args, report_choices=(), recipient_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reports"].choices = list(report_choices)
        self.fields["recipients"].choices = list(recipient_choices)
        self.fields["kind"].choices = [("", _("(by the report: combined or special)"))] + list(Bulletin.Kind.choices)


# --- The lists' filters ------------------------------------------------------------------------------


def _all():
    return ("", _("All"))


class ListFilterForm(forms.Form):
    """The filters of a list (its ListDef: lists.py) and of its Excel export. Bad values are dropped and
    reported, never a 500. `fields`: the filters this page offers."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False, choices=())
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, choices=(), empty_value=None)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=())
    level = forms.ChoiceField(label=_("Level"), required=False, choices=())
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=())
    page_size = forms.TypedChoiceField(label=_("Per page"), required=False, coerce=int, choices=(), empty_value=None)

    def __init__(self, data=None, *args, listdef=None, states=None, state_choices=None, years=(),
                 fields=("q", "state", "year", "category"), **kwargs):
        self.listdef = listdef
        if data is not None and not data.get("page_size"):  # show the size the page uses
            data = data.copy()
            data["page_size"] = str(listdef.default_page_size)
        super().__init__(data, *args, **kwargs)
        for name in ("q", "state", "year", "category", "level"):
            if name not in fields:
                del self.fields[name]
        if "state" in self.fields:
            if state_choices is None:
                state_choices = OpinionState.choices if states is None else [(s, OpinionState(s).label) for s in states]
            self.fields["state"].choices = [_all(), *state_choices]
        if "year" in self.fields:
            self.fields["year"].choices = [_all(), *((y, y) for y in years)]
        if "category" in self.fields:
            self.fields["category"].choices = [_all(), *categories.filter_choices()]
        if "level" in self.fields:
            self.fields["level"].choices = [_all(), *Level.choices]
        self.fields["sort"].choices = [("", _("Default order")), *listdef.sort_choices()]
        self.fields["page_size"].choices = [(n, n) for n in listdef.page_sizes]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("data-testid", f"filter-{name}")

    def params(self) -> dict:
        """The valid, non-empty filter values and the sort (an invalid one is dropped and reported)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return self.listdef.params(cleaned, skip=[*self.errors, *(f.key for f in self.listdef.filters
                                                                  if f.key not in self.fields)])


# --- Recipients (报送对象) --------------------------------------------------------------------------------


class RecipientForm(forms.Form):
    """Add or change a recipient; the service checks the name (required, length, unique in the committee)."""

    name = forms.CharField(label=_("Name"), widget=forms.TextInput(attrs={"maxlength": 60}))
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, required=False)
    sort_order = forms.CharField(label=_("Order"), required=False, max_length=10,
                                 help_text=_("Smaller numbers come first in the forwarding form."),
                                 widget=forms.TextInput(attrs={"inputmode": "numeric"}))
