from django import forms
from django.utils.translation import gettext_lazy as _

from xieshang.core import categories


class PublicSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, years=(), committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]
        self.fields["category"].choices = [("", _("All categories"))] + categories.catalogue(committee).choices(every=True)
        self.fields["q"].widget.attrs.update({"placeholder": _("Words in the subject or text"), "type": "search"})

    def params(self) -> dict:
        """The valid filters (invalid ones are dropped: a public page never fails on a query string)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {key: data.get(key) for key in ("q", "year", "category") if data.get(key) not in (None, "")}
