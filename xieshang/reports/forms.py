from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .selectors import sessions_of


class StatisticsFilterForm(forms.Form):
    """Year and session of the statistics. Unknown values are errors on the field, never a 500."""

    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    session = forms.TypedChoiceField(label=_("Session"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        sessions = list(sessions_of(committee))
        years = sorted({s.year for s in sessions}, reverse=True)
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]
        self.fields["session"].choices = [("", _("All sessions"))] + [(s.pk, f"{s}（{s.year}）") for s in sessions]
        self.sessions = {s.pk: s for s in sessions}

    def filters(self) -> dict:
        """{"year": int|None, "session": Session|None} from valid data (empty when invalid)."""
        if not self.is_valid():
            return {"year": None, "session": None}
        return {"year": self.cleaned_data["year"], "session": self.sessions.get(self.cleaned_data["session"])}


class ProposalImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel (.xlsx) or CSV file"),
        widget=forms.ClearableFileInput(attrs={
            "accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv",
        }),
    )
    session = forms.ModelChoiceField(
        label=_("Session of rows without 届次/年份"), required=False, queryset=None,
        empty_label=_("— none: every row names its session —"),
    )

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions_of(committee)
        self.fields["session"].label_from_instance = lambda s: f"{s}（{s.year}）"
        self.fields["file"].help_text = _(
            "Download the template, fill it in and upload it here (CSV in UTF-8 or GBK). At most %(mb)d MB."
        ) % {"mb": settings.XIESHANG_MAX_UPLOAD_MB}
