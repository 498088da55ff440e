"""Forms of the administration screens. They only parse input; the services check and write.

Choice fields that name rows (sector, term, unit …) are limited to the committee's own rows,
so a row of another committee is refused as an invalid choice.
"""

import datetime

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import (
    HandlingUnit, LiaisonStation, Member, Organization, Role, Sector, SpecialCommittee, Studio, Term, TimerSetting,
)
from .text import text_field


def initial_from(obj, names) -> dict:
    """Initial form values from a model row (many-to-many fields as lists)."""
    if obj is None:
        return {}
    out = {}
    for name in names:
        value = getattr(obj, name)
        out[name] = list(value.all()) if hasattr(value, "all") else value
    return out


YES_NO_ALL = [("", _("All")), ("yes", _("Yes")), ("no", _("No"))]


class CommitteeForm(forms.Form):
    name = text_field(100, label=_("Full name"), single_line=True)
    short_name = text_field(40, label=_("Short name"), required=False, single_line=True)
    portal_name = text_field(
        100, label=_("Public portal name"), required=False, single_line=True,
        help_text=_("Shown as the title of the public site, e.g. 有事昌商量·邀你建吉言."),
    )
    require_second_factor = forms.BooleanField(
        label=_("Staff and leaders must use two-step sign-in"), required=False,
        help_text=_("Administrators always must. Takes effect at their next sign-in."),
    )


class TermForm(forms.Form):
    number = forms.IntegerField(label=_("Term number"), min_value=1, max_value=99, help_text=_("13 for 第十三届."))
    start_year = forms.IntegerField(label=_("Start year"), min_value=1949, max_value=2200)
    end_year = forms.IntegerField(label=_("End year"), min_value=1949, max_value=2200)
    is_current = forms.BooleanField(label=_("Current term"), required=False)


class SessionForm(forms.Form):
    term = forms.ModelChoiceField(label=_("Term"), queryset=Term.objects.none())
    number = forms.IntegerField(label=_("Session number"), min_value=1, max_value=20, help_text=_("3 for 三次会议."))
    year = forms.IntegerField(label=_("Year"), min_value=1949, max_value=2200)
    opens_on = forms.DateField(label=_("Opens on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Closes on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    is_current = forms.BooleanField(label=_("Current session"), required=False)

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Term.objects.filter(committee=committee)


class NamedForm(forms.Form):
    """Sectors and special committees: a name and a place in the list."""

    name = text_field(60, label=_("Name"), single_line=True)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, required=False, initial=0,
                                    help_text=_("Smaller numbers come first."))


class OrganizationForm(forms.Form):
    name = text_field(60, label=_("Name"), single_line=True)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organization.Kind.choices)


class HandlingUnitForm(forms.Form):
    name = text_field(80, label=_("Unit name"), single_line=True)
    short_name = text_field(40, label=_("Short name"), required=False, single_line=True)
    aliases = text_field(200, label=_("Other names"), required=False, single_line=True,
                         help_text=_("Former names or names in common use, separated by 、 or commas: the unit pickers find the unit by them."))
    kind = forms.ChoiceField(label=_("Kind"), choices=HandlingUnit.Kind.choices)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, required=False, initial=0,
                                    help_text=_("Smaller numbers come first within the kind."))
    contact_person = text_field(40, label=_("Contact person"), required=False, single_line=True)
    contact_phone = text_field(32, label=_("Contact phone"), required=False, single_line=True)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                   help_text=_("Inactive units can no longer be assigned proposals."))


class LiaisonStationForm(forms.Form):
    name = text_field(80, label=_("Name"), help_text=_("e.g. 昌吉市宁边路街道委员联络站"), single_line=True)
    short_name = text_field(40, label=_("Short name"), required=False, single_line=True)
    address = text_field(120, label=_("Address"), required=False, single_line=True)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, required=False, initial=0,
                                    help_text=_("Smaller numbers come first."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                   help_text=_("Inactive places can no longer be given keepers."))


class StudioForm(LiaisonStationForm):
    name = text_field(80, label=_("Name"), help_text=_("e.g. 农业界委员工作室"), single_line=True)
    kind = forms.ChoiceField(label=_("Kind"), choices=Studio.Kind.choices)
    field_order = ["name", "short_name", "kind", "address", "sort_order", "is_active"]


class PartyCommitteeForm(forms.Form):
    name = text_field(80, label=_("Name of the Party committee"), help_text=_("e.g. 中共昌吉州委"),
                      single_line=True)


class MemberForm(forms.Form):
    name = text_field(40, label=pgettext_lazy("person", "Name"), single_line=True)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Member.Gender.choices], required=False)
    ethnicity = text_field(20, label=_("Ethnicity"), required=False, single_line=True)
    term = forms.ModelChoiceField(label=_("Term"), queryset=Term.objects.none())
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=Sector.objects.none(), required=False)
    organization = forms.ModelChoiceField(label=_("Party or group"), queryset=Organization.objects.none(), required=False)
    special_committees = forms.ModelMultipleChoiceField(
        label=_("Special committees"), queryset=SpecialCommittee.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_standing_committee_member = forms.BooleanField(label=_("Standing committee member"), required=False)
    employer = text_field(120, label=_("Employer and post"), required=False, single_line=True)
    phone = text_field(32, label=_("Mobile phone"), required=False, single_line=True)
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = text_field(120, label=_("Address"), required=False, single_line=True)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    username = forms.CharField(
        label=_("Existing account (user name)"), max_length=150, required=False,
        help_text=_("Leave empty to create a new account. Give a user name to link a person who already "
                    "has an account, e.g. as a member of another committee."),
    )

    def __init__(self, *args, committee, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        terms = Term.objects.filter(committee=committee)
        self.fields["term"].queryset = terms
        current = terms.filter(is_current=True).first()
        if current is not None and not self.initial.get("term"):
            self.initial["term"] = current
        self.fields["sector"].queryset = Sector.objects.filter(committee=committee)
        self.fields["organization"].queryset = Organization.objects.filter(committee=committee)
        self.fields["special_committees"].queryset = SpecialCommittee.objects.filter(committee=committee)
        if editing:
            del self.fields["username"]


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("name, phone or employer")}))
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=Sector.objects.none(), required=False)
    organization = forms.ModelChoiceField(label=_("Party or group"), queryset=Organization.objects.none(), required=False)
    special_committee = forms.ModelChoiceField(label=_("Special committee"), queryset=SpecialCommittee.objects.none(),
                                               required=False)
    term = forms.ModelChoiceField(label=_("Term"), queryset=Term.objects.none(), required=False)
    standing = forms.ChoiceField(label=_("Standing committee"), choices=YES_NO_ALL, required=False)
    active = forms.ChoiceField(label=_("Active"), choices=YES_NO_ALL, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        ("name", pgettext_lazy("person", "Name")), ("sector", _("Sector")), ("organization", _("Party or group")),
        ("-id", _("Newest first")),
    ])

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.filter(committee=committee)
        self.fields["organization"].queryset = Organization.objects.filter(committee=committee)
        self.fields["special_committee"].queryset = SpecialCommittee.objects.filter(committee=committee)
        self.fields["term"].queryset = Term.objects.filter(committee=committee)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)


class OrganizationFilterForm(SearchForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *Organization.Kind.choices], required=False)


class HandlingUnitFilterForm(SearchForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *HandlingUnit.Kind.choices], required=False)
    active = forms.ChoiceField(label=_("Active"), choices=YES_NO_ALL, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        ("name", _("Name")), ("kind", _("Kind")), ("-id", _("Newest first")),
    ])


class PlaceFilterForm(SearchForm):
    active = forms.ChoiceField(label=_("Active"), choices=YES_NO_ALL, required=False)


class StudioFilterForm(PlaceFilterForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *Studio.Kind.choices], required=False)


class UserFilterForm(SearchForm):
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("All")), *Role.choices], required=False)


class _RoleFields(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    handling_unit = forms.ModelChoiceField(
        label=_("Handling unit"), queryset=HandlingUnit.objects.none(), required=False,
        help_text=_("Required for the handling-unit role."),
    )
    liaison_station = forms.ModelChoiceField(
        label=_("Liaison station"), queryset=LiaisonStation.objects.none(), required=False,
        help_text=_("For station keepers: the liaison station, or else the studio below."),
    )
    studio = forms.ModelChoiceField(label=_("Studio"), queryset=Studio.objects.none(), required=False)
    special_committee = forms.ModelChoiceField(
        label=_("Special committee"), queryset=SpecialCommittee.objects.none(), required=False,
        help_text=_("Optional, for office staff and leaders: the special committee they work for."),
    )

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handling_unit"].queryset = HandlingUnit.objects.filter(committee=committee, is_active=True)
        self.fields["liaison_station"].queryset = LiaisonStation.objects.filter(committee=committee, is_active=True)
        self.fields["studio"].queryset = Studio.objects.filter(committee=committee, is_active=True)
        self.fields["special_committee"].queryset = SpecialCommittee.objects.filter(committee=committee)

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.UNIT and not data.get("handling_unit"):
            self.add_error("handling_unit", _("A handling-unit role must name the handling unit."))
        if data.get("role") == Role.STATION:
            if not data.get("liaison_station") and not data.get("studio"):
                self.add_error("liaison_station", _("A station keeper's role must name the liaison station or the studio."))
            elif data.get("liaison_station") and data.get("studio"):
                self.add_error("studio", _("Choose a liaison station or a studio, not both."))
        return data


class RoleGrantForm(_RoleFields):
    pass


class RoleGrantByNameForm(_RoleFields):
    username = forms.CharField(label=_("User name"), max_length=150,
                               help_text=_("An existing account, e.g. one that works in another committee."))
    field_order = ["username", "role", "handling_unit", "liaison_station", "studio", "special_committee"]


class AccountForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = text_field(64, label=pgettext_lazy("person", "Full name"), required=False, single_line=True)
    phone = text_field(32, label=_("Phone"), required=False, single_line=True)
    email = forms.EmailField(label=_("E-mail"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                   help_text=_("An inactive account cannot sign in."))


class NewAccountForm(AccountForm, _RoleFields):
    field_order = ["username", "full_name", "phone", "email", "is_active", "role", "handling_unit", "liaison_station", "studio", "special_committee"]


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("New password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class TimerForm(forms.Form):
    amount = forms.IntegerField(label=_("Amount"), min_value=0, max_value=999)
    unit = forms.ChoiceField(label=_("Time unit"), choices=TimerSetting.Unit.choices)


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_working_day = forms.TypedChoiceField(
        label=_("The day is"), coerce=lambda v: v == "1", choices=[
            ("0", _("a day off (holiday)")), ("1", _("a working day (make-up working day)")),
        ],
    )
    name = text_field(40, label=_("Name"), required=False, help_text=_("e.g. 春节, 国庆节调休"), single_line=True)
    national = forms.BooleanField(
        label=_("National day (for every committee)"), required=False,
        help_text=_("Only platform administrators can change the national calendar."),
    )

    def __init__(self, *args, allow_national=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_national:
            del self.fields["national"]

    def clean_date(self):
        value = self.cleaned_data["date"]
        if not 1990 <= value.year <= datetime.date.today().year + 10:
            raise forms.ValidationError(_("Enter a date between 1990 and ten years from now."))
        return value


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Download the template, fill it in and upload it here. At most %(mb)d MB.") % {
            "mb": settings.XIESHANG_MAX_UPLOAD_MB
        }
