"""Forms of the signed-in demand screens. They parse what a page posts and give the `data` of one service
call; they never write.

Each action form posts the field names of its transition's input schema (workflow.py: `input=` of each
Transition in DEMAND_TRANSITIONS), plus `expected_version`: the version the page was shown with, so a
decision taken on an out-of-date page is refused with a conflict message instead of undoing someone
else's work. The schema checks the input again in the service; its errors come back next to these fields.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xieshang.core import categories, pickers
from xieshang.core.text import COMMENT_MAX, text_field
from xieshang.opinions import forms as opinion_forms
from xieshang.core.forms import DateInput

from .models import ANSWER_LIMIT, PHOTO_LIMIT, TEXT_LIMIT, DemandSource, DemandState


# --- Recording a demand -------------------------------------------------------------------------------


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to PHOTO_LIMIT image files; their type and size are checked by the service (services.check_photos)."""

    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files if f]


class DemandForm(forms.Form):
    """Record a demand (keeper at a reception day or activity, member met on a visit, staff): the fields of
    workflow.DemandInput, and photos."""

    text = text_field(TEXT_LIMIT, label=_("What the citizen asks"), widget=forms.Textarea(attrs={"rows": 6}))
    category = forms.ChoiceField(label=_("Category"), choices=())  # the committee's own list (__init__)
    place = forms.TypedChoiceField(label=_("Place"), coerce=int, choices=(), empty_value=None)
    activity = forms.TypedChoiceField(label=_("At the activity or reception day"), coerce=int, choices=(),
                                      required=False, empty_value=None)
    name = text_field(40, label=_("Citizen's name"), required=False, single_line=True)
    phone = text_field(20, label=_("Citizen's mobile phone"), required=False, single_line=True,
                       help_text=_("The citizen receives the tracking code and each answer by SMS."))
    photos = PhotosField(label=_("Photos"), required=False,
                         help_text=_("At most %(n)d JPEG, PNG or WebP photos.") % {"n": PHOTO_LIMIT})

    def __init__(self, *args, places=(), activities=(), committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        categories.use(self.fields["category"], committee)  # default: the request's committee
        places = list(places)
        self.fields["place"].choices = ([("", _("Choose…"))] if len(places) != 1 else []) + [
            (p.pk, f"{p.name}（{p.county}）") for p in places]
        self.fields["activity"].choices = [("", _("(none)"))] + [
            (a.pk, f"{a.date:%Y-%m-%d} {a.topic}") for a in activities]
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["photos"].widget.attrs.update({"accept": "image/jpeg,image/png,image/webp"})
        self.fields["text"].widget.attrs["maxlength"] = TEXT_LIMIT

    def to_data(self) -> dict:
        c = self.cleaned_data
        data = {"text": c["text"], "category": c["category"], "name": c.get("name") or "",
                "phone": c.get("phone") or "", "place": c.get("place")}
        if c.get("activity"):
            data["activity"] = c["activity"]
        return data


# --- Actions on the detail page -----------------------------------------------------------------------


class ActionForm(opinion_forms.ActionForm):
    """Base of the action forms (the opinion screens' one: `ctx` carries the choices the page computed
    once), with the version the page was shown with."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def to_data(self) -> dict:
        data = super().to_data()
        data.pop("expected_version", None)
        return data


class EmptyForm(ActionForm):
    """accept, close, unpublish: a button."""


class ReasonForm(ActionForm):
    """decline (the citizen reads the reason), return (the unit says why)."""

    reason = opinion_forms.ReasonForm.base_fields["reason"]


class ReferForm(ActionForm):
    unit = forms.TypedChoiceField(label=_("Handling unit"), coerce=int, choices=(), widget=pickers.Picker)
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput(),
                             help_text=_("Leave empty for the usual time in working days."))
    note = text_field(COMMENT_MAX, label=_("Note to the unit"), required=False,
                      widget=forms.Textarea(attrs={"rows": 2}))

    def setup(self):
        units = self.ctx.get("units", [])
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["unit"].widget.set_options(pickers.unit_options(units), empty="")


class ConvertForm(ActionForm):
    to = forms.ChoiceField(label=_("Turn into"), choices=(
        ("proposal", _("a proposal draft")), ("opinion", _("an opinion report draft"))), widget=forms.RadioSelect)
    member = forms.TypedChoiceField(label=_("For the member"), coerce=int, choices=(), widget=pickers.Picker)

    def setup(self):
        members = self.ctx.get("members", [])
        self.fields["member"].choices = [(m.pk, m.name) for m in members]
        self.fields["member"].widget.set_options(pickers.Options(
            pickers.Option(m.pk, m.name, "", m.employer) for m in members), empty="")


class AnswerForm(ActionForm):
    text = text_field(ANSWER_LIMIT, label=_("Answer"), widget=forms.Textarea(attrs={"rows": 5}),
                      help_text=_("The citizen reads this answer on the tracking page."))


class ConfirmForm(ActionForm):
    """confirm: the citizen's verdict, recorded by the place (e.g. by telephone)."""

    satisfied = forms.TypedChoiceField(
        label=_("The citizen is"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        choices=(("yes", _("satisfied")), ("no", _("not satisfied"))))
    comment = text_field(1000, label=_("What the citizen said"), required=False,
                         widget=forms.Textarea(attrs={"rows": 2}))

    def to_data(self) -> dict:
        return {"satisfied": bool(self.cleaned_data["satisfied"]), "comment": self.cleaned_data.get("comment") or ""}


class ClassifyForm(ActionForm):
    category = forms.ChoiceField(label=_("Category"), choices=())

    def setup(self):  # the request's committee's list, and the demand's own category
        categories.use(self.fields["category"], current=(self.data if self.is_bound else self.initial).get("category"))


class PublishForm(ActionForm):
    summary = text_field(500, label=_("Public summary"), widget=forms.Textarea(attrs={"rows": 3}),
                         help_text=_("Shown on the portal with the answer: no names, no phone numbers."))


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "accept": EmptyForm,
    "decline": ReasonForm,
    "refer": ReferForm,
    "return": ReasonForm,
    "convert": ConvertForm,
    "answer": AnswerForm,
    "confirm": ConfirmForm,
    "close": EmptyForm,
    "classify": ClassifyForm,
    "publish": PublishForm,
    "unpublish": EmptyForm,
}
DANGER_ACTIONS = {"decline", "return", "close", "unpublish"}


def action_form(action: str, data=None, *, ctx=None, initial=None) -> ActionForm:
    return ACTION_FORMS[action](data, ctx=ctx, action=action, initial=initial)


# --- The lists' filters ---------------------------------------------------------------------------------


def _all():
    return ("", _("All"))


class DemandFilterForm(forms.Form):
    """The filters of a demand list (its ListDef: lists.py) and of its Excel export. Bad values are dropped
    and reported, never a 500. `fields`: the filters this page offers."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False, choices=())
    place = forms.TypedChoiceField(label=_("Place"), required=False, coerce=int, choices=(), empty_value=None)
    county = forms.ChoiceField(label=_("County or city"), required=False, choices=())
    unit = forms.TypedChoiceField(label=_("Handling unit"), required=False, coerce=int, choices=(), empty_value=None)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=())
    source = forms.ChoiceField(label=_("Source"), required=False, choices=())
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, choices=(), empty_value=None)
    late = forms.BooleanField(label=_("Late only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=())
    page_size = forms.TypedChoiceField(label=_("Per page"), required=False, coerce=int, choices=(), empty_value=None)

    def __init__(self, data=None, *args, listdef=None, fields=(), places=(), units=(), years=(), **kwargs):
        self.listdef = listdef
        if data is not None and not data.get("page_size"):
            data = data.copy()
            data["page_size"] = str(listdef.default_page_size)
        super().__init__(data, *args, **kwargs)
        for name in ("q", "state", "place", "county", "unit", "category", "source", "year", "late"):
            if name not in fields:
                del self.fields[name]
        places = list(places)
        choices = {
            "state": DemandState.choices, "category": categories.filter_choices(), "source": DemandSource.choices,
            "place": [(p.pk, p.name) for p in places],
            "county": [(c, c) for c in sorted({p.county for p in places})],
            "unit": [(u.pk, u.name) for u in units], "year": [(y, y) for y in years],
        }
        for name, values in choices.items():
            if name in self.fields:
                self.fields[name].choices = [_all(), *values]
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
