"""Forms of the proposals screens: they parse input and turn it into the arguments of one service call.

Each action form has `to_data()` giving the `data` dict of `services.proposal_act` for its action
(see docs/proposals.md): the field names of the action's input schema (`schemas.INPUTS`), which the
service validates exactly as it validates the API's body; its errors come back onto the form's fields
(views._apply_error). The forms' limits and choices are the schemas' (tests/test_action_schemas.py).
Forms never write; the views call the services.
"""

from __future__ import annotations

import os

from django import forms
from django.conf import settings
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from xieshang.core.forms import DateInput
from xieshang.core import categories, pickers
from xieshang.core.models import HandlingUnit, Sector, Session
from xieshang.core.text import BODY_MAX, TITLE_MAX, text_field

from .lists import PROPOSALS
from .models import (
    AssignmentRole,
    ConvertTarget,
    EvaluationVerdict,
    HandlingConsultation,
    ProposalKind,
    ProposalState,
    RejectReason,
    ReplyOutcome,
)

# The staff list's page sizes and sorts are those of its definition (page, API and export alike).
PAGE_SIZES = PROPOSALS.page_sizes
DEFAULT_PAGE_SIZE = PROPOSALS.default_page_size
SORTS = PROPOSALS.sort_choices()
LETTER_EXTENSIONS = (".pdf", ".doc", ".docx", ".jpg", ".jpeg", ".png")


# --- Drafting -----------------------------------------------------------------------------------


class ProposalForm(forms.Form):
    """The drafting form (create and edit). `client_key` makes a double-clicked create one draft."""

    title = text_field(TITLE_MAX, label=_("Subject"), single_line=True)
    session = forms.ModelChoiceField(label=_("Plenary session"), queryset=Session.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Proposal kind"), choices=ProposalKind.choices, initial=ProposalKind.SESSION)
    category = forms.ChoiceField(label=_("Category"), choices=())  # the committee's own list (__init__)
    body = text_field(
        BODY_MAX, label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("The situation, the analysis and your concrete suggestions."),
    )
    suggested_units = text_field(
        300, label=_("Suggested handling units"), required=False,
        help_text=_("Optional; the office decides which units handle the proposal."),
    )
    contact_phone = text_field(32, label=_("Contact phone"), required=False, single_line=True)
    contact_address = text_field(120, label=_("Contact address"), required=False, single_line=True)
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    proposal = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    UPDATE_FIELDS = ("title", "body", "category", "kind", "suggested_units", "contact_phone", "contact_address")

    def __init__(self, *args, committee=None, creating=True, require_title=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = require_title
        if creating and committee is not None:
            sessions = Session.objects.filter(term__committee=committee).select_related("term").order_by("-year")
            self.fields["session"].queryset = sessions
            self.fields["session"].empty_label = None
            current = next((s for s in sessions if s.is_current), None)
            if current is not None and not self.is_bound:
                self.initial.setdefault("session", current.pk)
        else:
            del self.fields["session"]
        for name in ("title", "body", "suggested_units", "contact_phone", "contact_address"):
            self.fields[name].widget.attrs.setdefault("data-testid", f"field-{name}")
        categories.use(self.fields["category"], committee,
                       current=(self.data if self.is_bound else self.initial).get("category"))

    def fields_for_update(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in self.UPDATE_FIELDS}

    def fields_for_create(self) -> dict:
        data = self.fields_for_update()
        data["session"] = self.cleaned_data.get("session")
        return data


class InviteCosignersForm(forms.Form):
    members = forms.MultipleChoiceField(label=_("Members"), widget=forms.CheckboxSelectMultiple, choices=())

    def __init__(self, *args, member_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = list(member_choices)

    def to_data(self) -> dict:
        return {"members": [int(m) for m in self.cleaned_data["members"]]}


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Search members by name"), max_length=40, required=False)


# --- Actions on the detail page ----------------------------------------------------------------


class ActionForm(forms.Form):
    """Base of the forms of `proposal_act`. `ctx` carries the choices the page computed once."""

    def __init__(self, *args, ctx=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ctx = ctx or {}
        self.setup()

    def setup(self):
        pass

    def to_data(self) -> dict:
        return {}

    def _choice(self, name, key, *, required=True, label=None, hide_single=True):
        """Make field `name` a choice among ctx[key] ([(id, label)]); hidden when there is only one."""
        choices = [(str(k), v) for k, v in self.ctx.get(key, [])]
        field = self.fields[name]
        field.choices = ([] if required else [("", "—")]) + choices
        if label is not None:
            field.label = label
        if hide_single and len(choices) <= 1:
            field.widget = forms.HiddenInput()
            if choices:
                field.initial = choices[0][0]
        return field


def _optional_int(value):
    return int(value) if value not in (None, "") else None


class EmptyActionForm(ActionForm):
    """An action without input (co-sign, resubmit, acknowledge …): a button."""


class SubmitForm(ActionForm):
    cosign_days = forms.IntegerField(
        label=_("Days for co-signing"), required=False, min_value=1, max_value=30,
        help_text=_("Only when you invited co-signers; the committee's default applies when empty."),
    )

    def setup(self):
        if not self.ctx.get("has_cosigners"):
            self.fields["cosign_days"].widget = forms.HiddenInput()

    def to_data(self):
        days = self.cleaned_data.get("cosign_days")
        return {"cosign_days": days} if days else {}


class OptionalReasonForm(ActionForm):
    reason = text_field(1000, label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def to_data(self):
        reason = self.cleaned_data.get("reason")
        return {"reason": reason} if reason else {}


class RequiredReasonForm(ActionForm):
    reason = text_field(2000, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def to_data(self):
        return {"reason": self.cleaned_data["reason"]}


class RegisterForm(ActionForm):
    """立案, and optionally 交办 at once: a lead (or sole) unit and co-handling units — the units the text
    engine suggests are filled in with one click (xieshang.text); left empty, the proposal is assigned later."""

    category = forms.ChoiceField(label=_("Category"), required=False, choices=())
    is_key = forms.BooleanField(label=_("Key proposal"), required=False)
    lead_unit = pickers.UnitChoiceField(label=_("Assign at once to (sole or lead unit)"), required=False,
                                        help_text=_("Optional: leave empty to assign the proposal later."))
    co_units = pickers.UnitMultipleChoiceField(label=_("Co-handling units"), required=False)

    def setup(self):
        proposal = self.ctx.get("proposal")
        committee_id = getattr(proposal, "committee_id", None)
        categories.use(self.fields["category"], committee_id,
                       current=getattr(proposal, "category", None), empty=_("(keep as proposed)"))
        units = pickers.units_to_assign(committee_id)
        options = pickers.unit_options(units)
        for name in ("lead_unit", "co_units"):
            self.fields[name].use(units, options)

    def clean(self):
        data = super().clean()
        lead, co = data.get("lead_unit"), list(data.get("co_units") or [])
        if co and not lead:
            self.add_error("lead_unit", _("Choose the lead unit."))
        elif lead and lead in co:
            self.add_error("co_units", _("The lead unit cannot also be a co-handling unit."))
        return data

    def to_data(self):
        data = {"is_key": bool(self.cleaned_data.get("is_key"))}
        if self.cleaned_data.get("category"):
            data["category"] = self.cleaned_data["category"]
        lead, co = self.cleaned_data.get("lead_unit"), list(self.cleaned_data.get("co_units") or [])
        if lead:
            data["units"] = ([{"unit": lead.pk, "role": AssignmentRole.LEAD.value}]
                             + [{"unit": u.pk, "role": AssignmentRole.CO.value} for u in co]
                             if co else [{"unit": lead.pk, "role": AssignmentRole.SOLE.value}])
        return data


class MergeForm(ActionForm):
    """The proposal to merge into: chosen from ctx["merge_targets"] (the detail page), or typed as its
    number or id when ctx["merge_by_number"] is set (the review queue: a list of every possible target
    in each of its rows made the page cost seconds). Either way ctx["resolve_merge_target"](text) turns
    what was sent into the id of a proposal the user sees, or None."""

    into = forms.CharField(label=_("Merge into"), max_length=40)
    reason = text_field(2000, label=_("Reason"), required=False)

    def setup(self):
        field = self.fields["into"]
        choices = [(str(k), v) for k, v in self.ctx.get("merge_targets", [])]
        sent = self.data.get(self.add_prefix("into")) if self.is_bound else None
        # typed in the review queue and sent back with an error: show it as typed, in a text field
        if self.ctx.get("merge_by_number") or (sent and sent not in {k for k, _label in choices}):
            field.help_text = _("The number of the proposal to merge into (e.g. 13-3-0042), or its id.")
            field.widget.attrs.update({"placeholder": _("e.g. 13-3-0042"), "autocomplete": "off", "inputmode": "text"})
        else:
            field.widget = forms.Select(choices=choices)

    def clean_into(self):
        text = (self.cleaned_data.get("into") or "").strip().replace("－", "-").replace("—", "-").replace("–", "-")
        resolve = self.ctx.get("resolve_merge_target")
        target = resolve(text) if resolve is not None else (int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None)
        if target is None:
            raise forms.ValidationError(_("No proposal has this number or id: %(value)s"), params={"value": text})
        return target

    def to_data(self):
        data = {"into": int(self.cleaned_data["into"])}
        if self.cleaned_data.get("reason"):
            data["reason"] = self.cleaned_data["reason"]
        return data


class ConvertForm(ActionForm):
    to = forms.ChoiceField(label=_("Convert to"), choices=ConvertTarget.choices)
    reason = text_field(2000, label=_("Reason"), required=False)

    def to_data(self):
        data = {"to": self.cleaned_data["to"]}
        if self.cleaned_data.get("reason"):
            data["reason"] = self.cleaned_data["reason"]
        return data


class RejectForm(ActionForm):
    reason_code = forms.ChoiceField(label=_("Reason"), choices=RejectReason.choices)
    reason = text_field(2000, label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def to_data(self):
        data = {"reason_code": self.cleaned_data["reason_code"]}
        if self.cleaned_data.get("reason"):
            data["reason"] = self.cleaned_data["reason"]
        return data


class ReassignForm(ActionForm):
    assignment = forms.ChoiceField(label=_("Objected assignment"), choices=())
    unit = forms.ChoiceField(label=_("Re-assign to"), choices=(), widget=pickers.Picker)

    def setup(self):
        """ctx["units"]: the units to choose from (pickers.units_to_assign), in a searchable picker."""
        self._choice("assignment", "objected_assignments")
        units = self.ctx.get("units", [])
        self.fields["unit"].choices = [(str(u.pk), u.name) for u in units]
        self.fields["unit"].widget.set_options(pickers.unit_options(units), empty="")

    def to_data(self):
        return {"assignment": int(self.cleaned_data["assignment"]), "unit": int(self.cleaned_data["unit"])}


class UnitActionForm(ActionForm):
    """A unit's action on its own assignment (the assignment is chosen only when it holds several)."""

    assignment = forms.ChoiceField(label=_("Assignment"), required=False, choices=())

    def setup(self):
        self._choice("assignment", "my_assignments", required=False)

    def to_data(self):
        value = _optional_int(self.cleaned_data.get("assignment"))
        return {"assignment": value} if value else {}


class ObjectForm(UnitActionForm):
    reason = text_field(2000, label=_("Reason for objection"), widget=forms.Textarea(attrs={"rows": 3}))

    def to_data(self):
        return {**super().to_data(), "reason": self.cleaned_data["reason"]}


class ConsultForm(UnitActionForm):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    form = forms.ChoiceField(label=_("Form"), choices=HandlingConsultation.Form.choices)
    summary = text_field(5000, label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))
    participants = text_field(200, label=_("Participants"), required=False, single_line=True)

    def to_data(self):
        data = {
            **super().to_data(),
            "date": self.cleaned_data["date"].isoformat(),
            "form": self.cleaned_data["form"],
            "summary": self.cleaned_data["summary"],
        }
        if self.cleaned_data.get("participants"):
            data["participants"] = self.cleaned_data["participants"]
        return data


class SendViewsForm(UnitActionForm):
    text = text_field(10000, label=_("Views for the lead unit"), widget=forms.Textarea(attrs={"rows": 5}))

    def to_data(self):
        return {**super().to_data(), "text": self.cleaned_data["text"]}


class ExtensionRequestForm(UnitActionForm):
    until = forms.DateField(label=_("New reply date"), widget=DateInput())
    reason = text_field(2000, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def to_data(self):
        return {**super().to_data(), "until": self.cleaned_data["until"].isoformat(), "reason": self.cleaned_data["reason"]}


class ExtensionDecisionForm(ActionForm):
    request = forms.ChoiceField(label=_("Extension request"), choices=())

    def setup(self):
        self._choice("request", "pending_extensions")

    def to_data(self):
        return {"request": int(self.cleaned_data["request"])}


def validate_letter(upload):
    """The reply letter: PDF, Word or an image, within settings.XIESHANG_MAX_UPLOAD_MB."""
    if upload is None:
        return
    name = (upload.name or "").lower()
    if os.path.splitext(name)[1] not in LETTER_EXTENSIONS:
        raise forms.ValidationError(
            _("The letter must be a PDF, Word (.doc, .docx), JPG or PNG file."), code="file_type"
        )
    limit = settings.XIESHANG_MAX_UPLOAD_MB
    if upload.size > limit * 1024 * 1024:
        raise forms.ValidationError(
            _("The file is %(size).1f MB; files up to %(limit)d MB are accepted."),
            code="file_size",
            params={"size": upload.size / (1024 * 1024), "limit": limit},
        )


class ReplyForm(UnitActionForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReplyOutcome.choices, widget=forms.RadioSelect)
    text = text_field(50000, label=_("Reply text"), widget=forms.Textarea(attrs={"rows": 10}))
    signed_by = forms.CharField(label=_("Signed by"), max_length=40, required=False)
    document_number = forms.CharField(
        label=_("Document number"), max_length=60, required=False,
        help_text=_("The letter's number as your unit numbers it, e.g. 州农业农村局〔2026〕12号 (printed on the letter)."),
    )
    letter = forms.FileField(
        label=_("Reply letter"), required=False, validators=[validate_letter],
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(LETTER_EXTENSIONS)}),
    )

    def setup(self):
        super().setup()
        self.fields["letter"].help_text = _("PDF, Word, JPG or PNG, up to %(limit)d MB.") % {
            "limit": settings.XIESHANG_MAX_UPLOAD_MB
        }

    def to_data(self):
        data = {**super().to_data(), "outcome": self.cleaned_data["outcome"], "text": self.cleaned_data["text"]}
        if self.cleaned_data.get("signed_by"):
            data["signed_by"] = self.cleaned_data["signed_by"]
        if self.cleaned_data.get("document_number"):
            data["document_number"] = self.cleaned_data["document_number"]
        if self.cleaned_data.get("letter"):
            data["letter"] = self.cleaned_data["letter"]
        return data


class EvaluateForm(ActionForm):
    """evaluate: the verdict, a reason unless satisfied (the schema says so too), the committee's sub-verdict
    questions (ctx["evaluation_questions"]: one radio field `answer_<key>` each) and, last, a confirmation:
    a valid form sent without "<prefix>-confirmed" = "1" is shown back as a summary to confirm (views.act),
    so the member sees what they are about to submit."""

    reply = forms.ChoiceField(label=_("Reply"), required=False, choices=())
    verdict = forms.ChoiceField(label=_("Verdict"), choices=EvaluationVerdict.choices, widget=forms.RadioSelect)
    comment = text_field(2000, label=_("Reason or comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                         help_text=_("Required unless you are satisfied: say what is missing."))
    reply_key = "replies_to_evaluate"

    def setup(self):
        # "<prefix>-confirmed" is the page's own step (not an input of the action): sent by the summary's button
        self.confirmed = self.is_bound and self.data.get(self.add_prefix("confirmed")) == "1"
        self._choice("reply", self.reply_key, required=False)
        self.questions = list(self.ctx.get("evaluation_questions") or [])
        for q in self.questions:
            self.fields[f"answer_{q['key']}"] = forms.ChoiceField(
                label=q["label"], required=False, choices=[(str(v), label) for v, label in q["options"]],
                widget=forms.RadioSelect,
            )

    def clean(self):
        data = super().clean()
        verdict = data.get("verdict")
        if verdict and verdict != EvaluationVerdict.SATISFIED and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why you are not fully satisfied."))
        return data

    def to_data(self):
        data = {"verdict": self.cleaned_data["verdict"]}
        reply = _optional_int(self.cleaned_data.get("reply"))
        if reply:
            data["reply"] = reply
        if self.cleaned_data.get("comment"):
            data["comment"] = self.cleaned_data["comment"]
        answers = {q["key"]: self.cleaned_data.get(f"answer_{q['key']}") for q in self.questions}
        answers = {k: v for k, v in answers.items() if v}
        if answers:
            data["answers"] = answers
        return data

    @property
    def needs_confirmation(self) -> bool:
        return self.is_bound and self.is_valid() and not self.confirmed

    def summary(self) -> list[tuple]:
        """What is about to be submitted, as (label, value) pairs in the words of the form."""
        data = self.cleaned_data
        rows = []
        reply = data.get("reply")
        if reply:
            rows.append((self.fields["reply"].label, dict(self.fields["reply"].choices).get(reply, "")))
        rows.append((self.fields["verdict"].label, EvaluationVerdict(data["verdict"]).label))
        for q in self.questions:
            value = data.get(f"answer_{q['key']}")
            if value:
                rows.append((q["label"], dict(self.fields[f"answer_{q['key']}"].choices).get(value, value)))
        if data.get("comment"):
            rows.append((self.fields["comment"].label, data["comment"]))
        return rows


class CorrectEvaluationForm(EvaluateForm):
    """correct_evaluation: the same fields, on the replies the member has evaluated in this round."""

    reply_key = "replies_evaluated"


class RehandleForm(ActionForm):
    instructions = text_field(5000, label=_("Instructions for the units"), widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("What the units should do in the new round; they see it with the new reply due date."))

    def to_data(self):
        return {"instructions": self.cleaned_data["instructions"]}


class EvaluationQuestionsForm(forms.Form):
    """The committee's sub-verdict questions, one a line: "question: answer / answer / answer"."""

    questions = forms.CharField(
        label=_("Evaluation questions"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One question a line, then a colon and the answers offered separated by “/”, e.g. "
                    "“Handling attitude: satisfied / basically satisfied / dissatisfied”. Empty: the defaults."),
    )

    SEPARATORS = ("/", "／", "、")

    def parsed(self) -> list[dict]:
        out = []
        for line in (self.cleaned_data.get("questions") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            label, _sep, rest = line.replace("：", ":").partition(":")
            for sep in self.SEPARATORS[1:]:
                rest = rest.replace(sep, "/")
            out.append({"label": label.strip(), "options": [o.strip() for o in rest.split("/") if o.strip()]})
        return out

    @staticmethod
    def as_text(questions) -> str:
        return "\n".join(f"{q['label']}: " + " / ".join(str(label) for _v, label in q["options"]) for q in questions)


class NoteForm(ActionForm):
    note = text_field(2000, label=_("Note"), required=False)

    def to_data(self):
        return {"note": self.cleaned_data["note"]} if self.cleaned_data.get("note") else {}


class UrgeForm(ActionForm):
    assignment = forms.ChoiceField(label=_("Unit"), required=False, choices=())
    text = text_field(2000, label=_("Message"), required=False)

    def setup(self):
        self._choice("assignment", "live_assignments", required=False, hide_single=False)
        self.fields["assignment"].choices = [("", _("All units still handling it"))] + self.fields["assignment"].choices[1:]

    def to_data(self):
        data = {}
        assignment = _optional_int(self.cleaned_data.get("assignment"))
        if assignment:
            data["assignment"] = assignment
        if self.cleaned_data.get("text"):
            data["text"] = self.cleaned_data["text"]
        return data


class MarkKeyForm(ActionForm):
    is_key = forms.BooleanField(label=_("Key proposal"), required=False)
    leader = forms.ChoiceField(label=_("Supervising leader"), required=False, choices=())

    def setup(self):
        self._choice("leader", "leaders", required=False, hide_single=False)
        proposal = self.ctx.get("proposal")
        if proposal is not None and not self.is_bound:
            self.initial.setdefault("is_key", proposal.is_key)
            self.initial.setdefault("leader", proposal.supervising_leader_id or "")

    def to_data(self):
        data = {"is_key": bool(self.cleaned_data.get("is_key"))}
        leader = _optional_int(self.cleaned_data.get("leader"))
        if leader:
            data["leader"] = leader
        return data


class SuperviseForm(ActionForm):
    text = text_field(5000, label=_("Instruction"), widget=forms.Textarea(attrs={"rows": 3}))

    def to_data(self):
        return {"text": self.cleaned_data["text"]}


class FlagForm(ActionForm):
    """mark_excellent / set_public: a toggle; the button sets the opposite of the current value."""

    value = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def to_data(self):
        return {"value": bool(self.cleaned_data.get("value"))}


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "submit": SubmitForm,
    "cosign": EmptyActionForm,
    "decline_cosign": EmptyActionForm,
    "close_cosigning": EmptyActionForm,
    "withdraw": OptionalReasonForm,
    "return_for_revision": RequiredReasonForm,
    "resubmit": EmptyActionForm,
    "register": RegisterForm,
    "merge": MergeForm,
    "convert": ConvertForm,
    "reject": RejectForm,
    "reassign": ReassignForm,
    "acknowledge": UnitActionForm,
    "object": ObjectForm,
    "consult": ConsultForm,
    "send_views": SendViewsForm,
    "request_extension": ExtensionRequestForm,
    "approve_extension": ExtensionDecisionForm,
    "refuse_extension": ExtensionDecisionForm,
    "reply": ReplyForm,
    "evaluate": EvaluateForm,
    "correct_evaluation": CorrectEvaluationForm,
    "rehandle": RehandleForm,
    "close": NoteForm,
    "archive": NoteForm,
    "urge": UrgeForm,
    "mark_key": MarkKeyForm,
    "supervise": SuperviseForm,
    "mark_excellent": FlagForm,
    "set_public": FlagForm,
}
# Actions that have their own page instead of a form on the detail page.
PAGE_ACTIONS = {"update": "proposals:edit", "invite_cosigners": "proposals:invite", "assign": "proposals:assign"}
# Decisions that must not be taken on an out-of-date page: the form carries the version it was shown with.
VERSIONED_ACTIONS = {"register", "return_for_revision", "merge", "convert", "reject", "assign", "rehandle", "close", "archive"}


def action_form(action: str, data=None, files=None, *, ctx=None) -> ActionForm:
    cls = ACTION_FORMS[action]
    return cls(data, files, ctx=ctx, prefix=action)


# --- Assignment (交办) ------------------------------------------------------------------------------


class AssignForm(forms.Form):
    """交办: one mode at a time — a sole unit, a lead unit with co-handling units, or units that split the
    proposal; each mode's units in a searchable picker (core.pickers), the units the proposer suggested
    chosen at first."""

    MODES = [
        ("sole", _("One unit (sole)")),
        ("lead_co", _("Lead unit with co-handling units")),
        ("split", _("Split between several units")),
    ]
    mode = forms.ChoiceField(label=_("How units share the work"), choices=MODES, widget=forms.RadioSelect, initial="sole")
    sole_unit = pickers.UnitChoiceField(label=_("Handling unit"), required=False)
    lead_unit = pickers.UnitChoiceField(label=_("Lead unit"), required=False)
    co_units = pickers.UnitMultipleChoiceField(label=_("Co-handling units"), required=False)
    split_units = pickers.UnitMultipleChoiceField(label=_("Units sharing the proposal"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, committee=None, suggested="", **kwargs):
        super().__init__(*args, **kwargs)
        units = pickers.units_to_assign(committee)
        options = pickers.unit_options(units)
        for name in ("sole_unit", "lead_unit", "co_units", "split_units"):
            self.fields[name].use(units, options)
        if not self.is_bound and (named := pickers.units_named_in(suggested, units)):
            ids = [u.pk for u in named]
            self.initial.update({
                "mode": "lead_co" if len(ids) > 1 else "sole", "sole_unit": ids[0], "lead_unit": ids[0],
                "co_units": ids[1:], "split_units": ids,
            })

    def modes(self) -> list[dict]:
        """The modes with the fields each shows (the template shows one mode at a time)."""
        fields = {"sole": ["sole_unit"], "lead_co": ["lead_unit", "co_units"], "split": ["split_units"]}
        chosen = str(self["mode"].value() or "")
        return [{"value": value, "label": label, "checked": value == chosen, "fields": [self[f] for f in fields[value]]}
                for value, label in self.MODES]

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == "sole":
            if not data.get("sole_unit"):
                self.add_error("sole_unit", _("Choose the handling unit."))
        elif mode == "lead_co":
            lead, co = data.get("lead_unit"), list(data.get("co_units") or [])
            if not lead:
                self.add_error("lead_unit", _("Choose the lead unit."))
            if not co:
                self.add_error("co_units", _("Choose at least one co-handling unit."))
            elif lead and lead in co:
                self.add_error("co_units", _("The lead unit cannot also be a co-handling unit."))
        elif mode == "split":
            if len(data.get("split_units") or []) < 2:
                self.add_error("split_units", _("Choose at least two units to split the proposal between."))
        return data

    def units(self) -> list[dict]:
        data = self.cleaned_data
        if data["mode"] == "sole":
            return [{"unit": data["sole_unit"].pk, "role": AssignmentRole.SOLE.value}]
        if data["mode"] == "lead_co":
            return [{"unit": data["lead_unit"].pk, "role": AssignmentRole.LEAD.value}] + [
                {"unit": u.pk, "role": AssignmentRole.CO.value} for u in data["co_units"]
            ]
        return [{"unit": u.pk, "role": AssignmentRole.SPLIT.value} for u in data["split_units"]]


class BatchAssignForm(forms.Form):
    """交办会: one row per registered proposal — pick it, its main unit, other units and whether they split it.
    The units are searchable pickers (core.pickers) with the units each proposer suggested chosen at first."""

    def __init__(self, *args, proposals=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = list(proposals)
        units = list(units)
        self.units_by_id = {u.pk: u for u in units}
        unit_choices = [(u.pk, u.name) for u in units]
        options = pickers.unit_options(units)
        self.rows = []
        for p in self.proposals:
            pick = f"pick_{p.pk}"
            main = f"unit_{p.pk}"
            others = f"others_{p.pk}"
            split = f"split_{p.pk}"
            self.fields[pick] = forms.BooleanField(label=_("Assign"), required=False)
            self.fields[main] = forms.TypedChoiceField(
                label=_("Lead or sole unit"), required=False, coerce=int, choices=[("", "")] + unit_choices,
                widget=pickers.Picker(),
            )
            self.fields[others] = forms.TypedMultipleChoiceField(
                label=_("Other units"), required=False, coerce=int, choices=unit_choices,
                widget=pickers.MultiPicker(attrs={"size": 3}),
            )
            self.fields[main].widget.set_options(options, empty="")
            self.fields[others].widget.set_options(options)
            self.fields[split] = forms.BooleanField(label=_("Split between the units"), required=False)
            if not self.is_bound and (named := pickers.units_named_in(p.suggested_units, units)):
                self.initial.update({main: named[0].pk, others: [u.pk for u in named[1:]]})
            self.rows.append({"proposal": p, "pick": self[pick], "unit": self[main], "others": self[others], "split": self[split]})

    def clean(self):
        data = super().clean()
        picked = 0
        for p in self.proposals:
            if not data.get(f"pick_{p.pk}"):
                continue
            picked += 1
            main, others = data.get(f"unit_{p.pk}"), list(data.get(f"others_{p.pk}") or [])
            if not main:
                self.add_error(f"unit_{p.pk}", _("Choose a unit."))
            elif main in others:
                self.add_error(f"others_{p.pk}", _("A unit can be chosen only once."))
            elif data.get(f"split_{p.pk}") and not others:
                self.add_error(f"others_{p.pk}", _("Choose at least two units to split the proposal between."))
        if not picked:
            raise forms.ValidationError(_("Tick at least one proposal to assign."))
        return data

    def items(self) -> list[tuple]:
        """[(proposal, units)] for services.proposals_assign_batch."""
        out = []
        for p in self.proposals:
            if not self.cleaned_data.get(f"pick_{p.pk}"):
                continue
            main, others = self.cleaned_data[f"unit_{p.pk}"], list(self.cleaned_data.get(f"others_{p.pk}") or [])
            if self.cleaned_data.get(f"split_{p.pk}"):
                units = [{"unit": u, "role": AssignmentRole.SPLIT.value} for u in [main, *others]]
            elif others:
                units = [{"unit": main, "role": AssignmentRole.LEAD.value}] + [
                    {"unit": u, "role": AssignmentRole.CO.value} for u in others
                ]
            else:
                units = [{"unit": main, "role": AssignmentRole.SOLE.value}]
            out.append((p, units))
        return out


# --- Lists --------------------------------------------------------------------------------------


# --- The staff list's filters ----------------------------------------------------------------------

FILTER_OPTIONS_SECONDS = 60


def _filter_options_key(committee_id, language=None) -> str:
    from django.utils.translation import get_language

    from xieshang.core.selectors import organisation_version

    version = organisation_version(committee_id)
    return f"proposals:filter-options:{committee_id}:{version}:{language or get_language()}"


def filter_options(committee) -> dict:
    """The sessions, handling units and sectors the list's filters offer, read once a minute per committee
    (every list page and export shows them; they change a few times a year). The key carries the
    committee's organisation version, which the administration services bump on every change."""
    from django.core.cache import cache

    committee_id = getattr(committee, "pk", committee)
    key = _filter_options_key(committee_id)
    options = cache.get(key)
    if options is None:
        sessions = Session.objects.filter(term__committee=committee_id).select_related("term").order_by("-year")
        options = {
            "sessions": [(s.pk, str(s)) for s in sessions],
            "units": list(HandlingUnit.objects.filter(committee=committee_id).order_by("name").values_list("pk", "name")),
            "sectors": list(Sector.objects.filter(committee=committee_id).values_list("name", flat=True)),
        }
        cache.set(key, options, FILTER_OPTIONS_SECONDS)
    return options


def _all_choice():
    """The "All" choice of a filter, in the request's language."""
    return ("", _("All"))


class ProposalFilterForm(forms.Form):
    """The filters of the staff list and of its Excel export. Bad values are reported, never a 500."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    session = forms.TypedChoiceField(label=_("Plenary session"), required=False, coerce=int, choices=())
    state = forms.ChoiceField(label=_("State"), required=False, choices=())
    category = forms.ChoiceField(label=_("Category"), required=False, choices=())
    unit = forms.TypedChoiceField(label=_("Handling unit"), required=False, coerce=int, choices=())
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=())
    key = forms.BooleanField(label=_("Key proposals only"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)
    page_size = forms.TypedChoiceField(
        label=_("Per page"), required=False, coerce=int, choices=[(n, n) for n in PAGE_SIZES], empty_value=DEFAULT_PAGE_SIZE,
        initial=DEFAULT_PAGE_SIZE,
    )

    def __init__(self, *args, committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee
        # The choices are read when a value is checked or the fields are rendered, not before (the options
        # themselves are cached per committee and organisation version: forms.filter_options).
        self.fields["session"].choices = lambda: [_all_choice(), *self.options["sessions"]]
        self.fields["state"].choices = lambda: [_all_choice(), *ProposalState.choices]
        self.fields["category"].choices = lambda: [_all_choice(), *categories.catalogue(committee).choices(every=True)]
        self.fields["unit"].choices = lambda: [_all_choice(), *self.options["units"]]
        self.fields["sector"].choices = lambda: [_all_choice(), *((n, n) for n in self.options["sectors"])]

    @cached_property
    def options(self) -> dict:
        return filter_options(self.committee)

    def params(self) -> dict:
        """The selector's params: only the valid, non-empty values (an invalid one is dropped and reported)."""
        self.is_valid()
        return PROPOSALS.params(getattr(self, "cleaned_data", {}), skip=self.errors)

    def per_page(self) -> int:
        self.is_valid()
        if "page_size" in self.errors:
            return DEFAULT_PAGE_SIZE
        return getattr(self, "cleaned_data", {}).get("page_size") or DEFAULT_PAGE_SIZE


class AttachmentForm(forms.Form):
    """A file to attach to a proposal (proposals.attachments checks its type, content and size)."""

    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        from .attachments import MATERIAL_EXTENSIONS

        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ",".join(MATERIAL_EXTENSIONS)
        self.fields["file"].help_text = _("Survey material, photos or data: %(types)s, up to %(limit)d MB.") % {
            "types": " ".join(MATERIAL_EXTENSIONS), "limit": settings.XIESHANG_MAX_UPLOAD_MB}
