"""Forms of the clue screens (and of the public portal's suggestion form). They parse input into the `data`
of one clue service; the services' schemas (clue_workflow) make the checks the API makes too. Forms never write."""

from __future__ import annotations

import time

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from xieshang.core.forms import DateInput
from xieshang.core import categories
from xieshang.core.models import Session
from xieshang.core.text import text_field

from .clue_workflow import CALL_TEXT_LIMIT, CALL_TITLE_LIMIT, NOTE_LIMIT
from .models import CLUE_TEXT_LIMIT, CLUE_TITLE_LIMIT

# The public form's simple anti-spam measure: a field people do not see (robots fill it), and the time the
# form was shown, signed (a form sent back within MIN_SECONDS was not typed by a person).
HONEYPOT = "website"
MIN_SECONDS = 3
MAX_AGE = 24 * 3600
_SALT = "xieshang.portal.clue"


class ClueCallForm(forms.Form):
    session = forms.ModelChoiceField(label=_("Plenary session"), queryset=Session.objects.none())
    title = text_field(CALL_TITLE_LIMIT, single_line=True, label=_("Title"))
    text = text_field(CALL_TEXT_LIMIT, label=_("Text"), required=False,
                           widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("What topics the office is looking for, and how they will be used."))
    opens_on = forms.DateField(label=_("Open from"), widget=DateInput)
    closes_on = forms.DateField(label=_("Open until"), widget=DateInput)

    def __init__(self, *args, committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        sessions = Session.objects.filter(term__committee=committee).select_related("term").order_by("-year")
        self.fields["session"].queryset = sessions
        current = next((s for s in sessions if s.is_current), None)
        if current is not None and not self.is_bound:
            self.initial.setdefault("session", current.pk)

    def to_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["session"] = data["session"].pk if data.get("session") else None
        return data


class ClueForm(forms.Form):
    """A clue from a signed-in member (or office staff)."""

    call = forms.TypedChoiceField(label=_("Call for clues"), required=False, coerce=int, empty_value=None)
    title = text_field(CLUE_TITLE_LIMIT, single_line=True, label=_("Subject"))
    category = forms.ChoiceField(label=_("Category"), choices=())  # the committee's own list (__init__)
    text = text_field(CLUE_TEXT_LIMIT, label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("The problem, where and whom it concerns, and what could be done."))

    def __init__(self, *args, calls=(), committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        categories.use(self.fields["category"], committee)
        self.fields["call"].choices = [("", _("— no particular call —"))] + [(c.pk, c.title) for c in calls]
        for name in ("title", "text"):
            self.fields[name].widget.attrs["data-testid"] = f"clue-{name}"

    def to_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items()}


class PublicClueForm(ClueForm):
    """The public portal's form: no account; name and contact optional; the anti-spam fields."""

    name = text_field(40, single_line=True, label=_("Your name (optional)"), required=False)
    contact = text_field(60, single_line=True, label=_("Phone or e-mail (optional)"), required=False,
                              help_text=_("Only the office sees it, to ask you about your suggestion."))
    website = forms.CharField(label=_("Leave this empty"), required=False)
    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        if not self.is_bound:
            self.initial["shown"] = signing.dumps(int(time.time()), salt=_SALT)

    def is_robot(self) -> bool:
        """Filled the field people do not see: answered as if accepted, and nothing is kept."""
        return bool((self.data.get(HONEYPOT) or "").strip())

    def clean(self):
        data = super().clean()
        try:
            shown = signing.loads(self.data.get("shown") or "", salt=_SALT, max_age=MAX_AGE)
        except (signing.BadSignature, TypeError, ValueError):
            shown = None
        if not isinstance(shown, int) or time.time() - shown < MIN_SECONDS:
            # a fresh signature for the next try; what was typed stays
            self.data = self.data.copy()
            self.data["shown"] = signing.dumps(int(time.time()), salt=_SALT)  # now: a robot's instant resend fails too
            raise forms.ValidationError(_("Please check your suggestion and send it again."), code="too_fast")
        return data

    def to_data(self) -> dict:
        data = super().to_data()
        data.pop("website", None)
        data.pop("shown", None)
        return data


def signed_shown(seconds_ago: int = 60) -> str:
    """The `shown` value of a form shown `seconds_ago` (for tests and scripted clients)."""
    return signing.dumps(int(time.time()) - seconds_ago, salt=_SALT)


class DeclineForm(forms.Form):
    note = text_field(NOTE_LIMIT, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class AcceptForm(forms.Form):
    note = text_field(NOTE_LIMIT, label=_("Note (optional)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class DuplicateForm(forms.Form):
    duplicate_of = forms.TypedChoiceField(label=_("Repeats the clue"), coerce=int, empty_value=None)
    note = text_field(NOTE_LIMIT, label=_("Note (optional)"), required=False)

    def __init__(self, *args, others=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicate_of"].choices = [("", "—")] + [(c.pk, f"#{c.pk} {c.title}") for c in others]


REVIEW_FORMS = {"accept": AcceptForm, "decline": DeclineForm, "mark_duplicate": DuplicateForm}
