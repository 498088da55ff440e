"""The input schema of every proposal action: the one definition of its fields (ADR 0011).

`workflow.TRANSITIONS` names each schema as its transition's `input`; `core.workflow.Machine.act` validates
the action's data with it (after the guard, before the handler) and gives the handler the validated
instance as `step.input`. The API's action endpoint passes its JSON (or multipart) body, and the pages'
action forms (`forms.py`, `to_data()`) post the same field names, so both meet the same checks and the
same field errors (422 `invalid` with `fields`).

A schema checks what needs no database: types, required fields, lengths and the offered values. What
needs the database (a unit of this committee, a reply of this proposal, a leader …) stays in the
handlers and guards of services.py. The messages are the catalogue's existing ones ("This field is
required.", "At most %(n)d characters.", "Choose one of the offered values.", "Enter a date as
YYYY-MM-DD.", "Enter yes or no." …): each field type below reproduces the check the handlers made by
hand before, error for error. An id that names nothing (not a whole number, ≤ 0, beyond the largest
database id, a boolean) is refused here and never reaches the database.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from xieshang.core import categories
from xieshang.core import text as core_text
from xieshang.core.text import BODY_MAX, TITLE_MAX
from xieshang.core.workflow import as_id

from .models import (
    AssignmentRole,
    ConvertTarget,
    EvaluationVerdict,
    HandlingConsultation,
    ProposalKind,
    RejectReason,
    ReplyOutcome,
)

# as_id: the database id a value names, or None (core.workflow, the one definition).


def _empty(value) -> bool:
    return value is None or value == ""


# --- Field types (each one check of the former hand-written helpers) --------------------------------


def Text(max_length: int = BODY_MAX, *, required: bool = False, strip: bool = True, single_line: bool = False) -> Any:
    """Text, stripped and normalised (core.text: no control characters); "" when not given. Required:
    "This field is required." for nothing or blanks; over the limit: "At most %(n)d characters."."""
    return core_text.Text(max_length, required=required, strip=strip, single_line=single_line)


def _choice_validator(values, required: bool, blank_is_invalid: bool) -> Callable:
    def check(value):
        if _empty(value) and not blank_is_invalid:
            if required:
                raise ValueError(_("This field is required."))
            return None
        if value not in values:
            raise ValueError(_("Choose one of the offered values."))
        return value

    return check


def Choice(choices, *, required: bool = True, blank_is_invalid: bool = False) -> Any:
    """One of `choices` (a TextChoices); not given: "This field is required." (or None when optional);
    anything else (and nothing, with `blank_is_invalid`): "Choose one of the offered values."."""
    kind = Literal[tuple(choices.values)]  # type: ignore[valid-type]
    check = _choice_validator(choices.values, required, blank_is_invalid)
    return Annotated[kind if required else kind | None, BeforeValidator(check)]


def _bool_validator(required: bool) -> Callable:
    def check(value):
        if _empty(value):
            if required:
                raise ValueError(_("This field is required."))
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "on", "yes"):
            return True
        if text in ("0", "false", "off", "no"):
            return False
        raise ValueError(_("Enter yes or no."))

    return check


def Bool(*, required: bool = True) -> Any:
    """Yes or no (true/false, 1/0, on/off, yes/no); anything else: "Enter yes or no."."""
    return Annotated[bool if required else bool | None, BeforeValidator(_bool_validator(required))]


def _date_validator(required: bool) -> Callable:
    def check(value):
        if _empty(value):
            if required:
                raise ValueError(_("This field is required."))
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None

    return check


def Date(*, required: bool = True) -> Any:
    """A date as YYYY-MM-DD (or a date); anything else: "Enter a date as YYYY-MM-DD."."""
    return Annotated[datetime.date if required else datetime.date | None, BeforeValidator(_date_validator(required))]


def _id_validator(missing: Callable[[], str] | None, invalid: Callable[[], str]) -> Callable:
    def check(value):
        if _empty(value):
            if missing is not None:
                raise ValueError(missing())
            return None
        number = as_id(value)
        if number is None:
            raise ValueError(invalid())
        return number

    return check


def _choose() -> str:
    return _("Choose one of the offered values.")


def Id(*, missing: Callable[[], str] | None = None, invalid: Callable[[], str] = _choose) -> Any:
    """The id of a row (which row, and whether it fits, the handler asks the database). Not given: None,
    or the message `missing()` (declare the field with `= Field(None, validate_default=True)` so that an
    absent field is refused with it too); not an id: the message `invalid()`."""
    return Annotated[int | None, BeforeValidator(_id_validator(missing, invalid))]


def _id_list_validator(message: Callable[[], str], *, none_ok: bool) -> Callable:
    def check(value):
        if not value:
            if none_ok:
                return []
            raise ValueError(message())
        items = value if isinstance(value, (list, tuple, set)) else [value]
        ids = [as_id(v) for v in items]
        if not ids or None in ids:
            raise ValueError(message())
        return ids

    return check


def IdList(message: Callable[[], str], *, none_ok: bool = False) -> Any:
    """Ids of rows (one id alone counts as a list of one); an empty list is `message()` unless `none_ok`;
    any item that names nothing: `message()`."""
    return Annotated[list[int], BeforeValidator(_id_list_validator(message, none_ok=none_ok))]


# --- The schemas ---------------------------------------------------------------------------------------


class ActionInput(BaseModel):
    """Base of the proposal actions' inputs (plain pydantic models: the raw mapping is validated as it
    is, uploaded files included): fields not declared are ignored."""


class NoInput(ActionInput):
    """An action without fields (a button)."""


class UnitInput(ActionInput):
    """A unit's action on its own assignment: `assignment` names it when the unit holds several (the guard
    checks that it is the unit's and in a fitting state)."""

    assignment: Id() = None


# Drafting and co-signing


class UpdateInput(ActionInput):
    """update (the proposer, in draft or returned): only the fields given change (autosave); any other
    field is refused with "This field cannot be changed here." (by the handler, from `model_extra`)."""

    model_config = ConfigDict(extra="allow")

    title: Text(TITLE_MAX, required=True, single_line=True) = None
    body: Text(BODY_MAX, strip=False) = None
    category: categories.Code(blank_is_invalid=True) = None  # the committee's own list
    kind: Choice(ProposalKind, blank_is_invalid=True) = None
    suggested_units: Text(300) = None
    contact_phone: Text(32) = None
    contact_address: Text(120) = None

    def changes(self) -> dict:
        """The fields given, in the order of the form."""
        return {name: getattr(self, name) for name in type(self).model_fields if name in self.model_fields_set}

    def unknown(self) -> list[str]:
        return list(self.model_extra or {})


def _choose_members() -> str:
    return _("Choose at least one member.")


class InviteCosignersInput(ActionInput):
    members: IdList(_choose_members) = Field(None, validate_default=True)


def _cosign_days(value):
    if _empty(value):
        return None
    days = as_id(value)
    if days is None or not 1 <= days <= 60:
        raise ValueError(_("Between 1 and 60 days."))
    return days


class SubmitInput(ActionInput):
    """submit: `cosign_days` (1–60) sets the co-signing period when co-signers are invited (else the
    committee's timer)."""

    cosign_days: Annotated[int | None, BeforeValidator(_cosign_days)] = None


class WithdrawInput(ActionInput):
    reason: Text(1000) = ""


# Review


class RequiredReasonInput(ActionInput):
    reason: Text(2000, required=True)


def _required() -> str:
    return _("This field is required.")


class MergeInput(ActionInput):
    into: Id(missing=_required, invalid=_required) = Field(None, validate_default=True)
    reason: Text(2000) = ""


class ConvertInput(ActionInput):
    to: Choice(ConvertTarget)
    reason: Text(2000) = ""


class RejectInput(ActionInput):
    reason_code: Choice(RejectReason)
    reason: Text(2000) = ""


# Assignment


def _choose_units() -> str:
    return _("Choose active handling units of this committee.")


class UnitRole(BaseModel):
    unit: int
    role: Literal[tuple(AssignmentRole.values)]  # type: ignore[valid-type]


def _units(raw):
    if not raw or not isinstance(raw, (list, tuple)):
        raise ValueError(_("Choose at least one handling unit."))
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise ValueError(_("Choose a unit and its role."))
        role = item.get("role")
        if role not in AssignmentRole.values:
            raise ValueError(_("Choose the role of each unit: sole, lead, co-handling or split."))
        unit = as_id(item.get("unit"))
        if unit is None:
            raise ValueError(_choose_units())
        out.append({"unit": unit, "role": role})
    ids = [item["unit"] for item in out]
    if len(ids) != len(set(ids)):
        raise ValueError(_("A unit can be named only once."))
    roles = [item["role"] for item in out]
    sole, lead, co, split = (roles.count(r) for r in ("sole", "lead", "co", "split"))
    valid = (
        (sole == 1 and len(roles) == 1)
        or (lead == 1 and co >= 1 and sole == split == 0)
        or (split >= 2 and sole == lead == co == 0)
    )
    if not valid:
        raise ValueError(_(
            "Assign to exactly one sole unit, or one lead unit with at least one co-handling unit, "
            "or at least two units handling separately."
        ))
    return out


class RegisterInput(ActionInput):
    """register: the category and the key flag, when given (else the proposal keeps its own)."""

    category: categories.Code(required=False) = None
    is_key: Bool(required=False) = None
    # 立案并交办: the units to assign the proposal to at once (as `assign` takes them); none: assigned later
    units: Annotated[list[UnitRole] | None, BeforeValidator(lambda raw: _units(raw) if raw else None)] = None


class AssignInput(ActionInput):
    """assign: the units and their roles — one sole unit; or one lead unit and co-handling units; or
    two or more units handling separately (split). Whether each unit is an active handling unit of the
    committee, the handler asks."""

    units: Annotated[list[UnitRole], BeforeValidator(_units)] = Field(None, validate_default=True)


def _choose_assignment() -> str:
    return _("Choose an assignment of this proposal.")


class ReassignInput(ActionInput):
    """reassign: the objected assignment and the unit that takes it over."""

    assignment: Id(missing=_choose_assignment, invalid=_choose_assignment) = Field(None, validate_default=True)
    unit: Id(missing=_choose_units, invalid=_choose_units) = Field(None, validate_default=True)


class ObjectInput(UnitInput):
    reason: Text(2000, required=True)


# Handling


class ConsultInput(UnitInput):
    """consult: a consultation with the proposer (its date may not lie in the future: the handler)."""

    date: Date()
    form: Choice(HandlingConsultation.Form)
    summary: Text(5000, required=True)
    participants: Text(200) = ""


class SendViewsInput(UnitInput):
    text: Text(10000, required=True)


class ExtensionRequestInput(UnitInput):
    until: Date()
    reason: Text(2000, required=True)


def _choose_request() -> str:
    return _("Choose an extension request of this proposal.")


class ExtensionDecisionInput(ActionInput):
    """approve_extension / refuse_extension: the pending request (required when the proposal has one
    waiting; the guard and the handler ask)."""

    request: Id(invalid=_choose_request) = None
    note: Text(2000) = ""


class ReplyInput(UnitInput):
    """reply: the answering unit's reply; `letter` is the uploaded reply letter (multipart), checked by
    core.attachments in the handler (type and size)."""

    outcome: Choice(ReplyOutcome)
    text: Text(50000, required=True)
    signed_by: Text(40) = ""
    document_number: Text(60) = ""  # 文号, printed on the reply letter
    letter: Any = None


# Evaluation and after


def _answers(value):
    """The sub-verdicts: {question key: answer}, both short texts (which keys and answers the committee
    offers, the handler asks: services._answers)."""
    if _empty(value) or value == {}:
        return {}
    if not isinstance(value, dict) or len(value) > 20:
        raise ValueError(_("Choose one of the offered values."))
    out = {}
    for key, answer in value.items():
        key, answer = str(key).strip(), ("" if answer is None else str(answer).strip())
        if not key or len(key) > 40 or len(answer) > 100:
            raise ValueError(_("Choose one of the offered values."))
        if answer:
            out[key] = answer
    return out


class EvaluateInput(ActionInput):
    """evaluate (and correct_evaluation): the verdict; a reason (`comment`) is required unless satisfied;
    `answers` are the sub-verdicts, {question key: answer}."""

    verdict: Choice(EvaluationVerdict)
    comment: Text(2000) = Field("", validate_default=True)
    reply: Id() = None
    answers: Annotated[dict[str, str], BeforeValidator(_answers)] = {}

    @field_validator("comment")
    @classmethod
    def _reason_unless_satisfied(cls, comment: str, info: ValidationInfo) -> str:
        verdict = info.data.get("verdict")
        if not comment and verdict and verdict != EvaluationVerdict.SATISFIED:
            raise ValueError(_("Say why you are not fully satisfied."))
        return comment


class CorrectEvaluationInput(EvaluateInput):
    """correct_evaluation: the proposer's new verdict on the replies of this round they evaluated (or on
    `reply`), while the office has not yet decided (re-handling or closing)."""


def _choose_assignments() -> str:
    return _("Choose assignments of this proposal.")


class RehandleInput(ActionInput):
    """rehandle: the instructions for the units, and the assignments to handle again (default: those whose
    reply was found dissatisfying)."""

    instructions: Text(5000, required=True)
    assignments: IdList(_choose_assignments, none_ok=True) = []


class NoteInput(ActionInput):
    note: Text(2000) = ""


# Flags and follow-up


class UrgeInput(ActionInput):
    text: Text(2000) = ""
    assignment: Id() = None


class MarkKeyInput(ActionInput):
    is_key: Bool()
    leader: Id() = None


class SuperviseInput(ActionInput):
    text: Text(5000, required=True)


class FlagInput(ActionInput):
    value: Bool()


class SetPublicInput(FlagInput):
    """set_public: `replies` (default: the same as `value`) is the flag every reply gets."""

    replies: Bool(required=False) = None


INPUTS: dict[str, type[ActionInput]] = {
    "update": UpdateInput,
    "invite_cosigners": InviteCosignersInput,
    "submit": SubmitInput,
    "cosign": NoInput,
    "decline_cosign": NoInput,
    "close_cosigning": NoInput,
    "withdraw": WithdrawInput,
    "return_for_revision": RequiredReasonInput,
    "resubmit": NoInput,
    "register": RegisterInput,
    "merge": MergeInput,
    "convert": ConvertInput,
    "reject": RejectInput,
    "assign": AssignInput,
    "reassign": ReassignInput,
    "acknowledge": UnitInput,
    "object": ObjectInput,
    "consult": ConsultInput,
    "send_views": SendViewsInput,
    "request_extension": ExtensionRequestInput,
    "approve_extension": ExtensionDecisionInput,
    "refuse_extension": ExtensionDecisionInput,
    "reply": ReplyInput,
    "evaluate": EvaluateInput,
    "rehandle": RehandleInput,
    "correct_evaluation": CorrectEvaluationInput,
    "close": NoteInput,
    "archive": NoteInput,
    "urge": UrgeInput,
    "mark_key": MarkKeyInput,
    "supervise": SuperviseInput,
    "mark_excellent": FlagInput,
    "set_public": SetPublicInput,
}


def fields_of(action: str) -> list[str]:
    """The field names of `action`'s input (what its form posts and its API body holds)."""
    return list(INPUTS[action].model_fields)


# --- Documentation (the API's OpenAPI request body of the action endpoint) ---------------------------


def _inline(node, defs: dict):
    """`node` with every "#/$defs/…" reference replaced by its definition (an OpenAPI document has no $defs)."""
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inline(value, defs) for key, value in node.items() if key != "$defs"}
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    return node


def json_schema_of(schema_class: type[BaseModel]) -> dict:
    """The JSON schema of an input schema, self-contained (its $defs inlined)."""
    schema = schema_class.model_json_schema()
    return _inline(schema, schema.get("$defs", {}))


def json_schema(action: str) -> dict:
    """The JSON schema of `action`'s input, self-contained, titled with the action's name."""
    out = json_schema_of(INPUTS[action])
    out["title"] = action
    out.pop("additionalProperties", None)  # update: other fields are refused by the handler, with a message
    return out


def actions_documentation() -> str:
    """One line per action: its fields (required ones marked *)."""
    lines = []
    for action, schema in INPUTS.items():
        required = {name for name, f in schema.model_fields.items() if f.is_required()}
        fields = ", ".join(f"{name}*" if name in required else name for name in schema.model_fields) or "—"
        lines.append(f"- `{action}`: {fields}")
    return "\n".join(lines)
