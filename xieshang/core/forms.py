from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """The browser's date field (YYYY-MM-DD), for every app's forms."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    """The browser's time field (HH:MM)."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")

# The longest password any form takes (the API's schemas say the same): a 20 MB one never reaches Argon2.
PASSWORD_MAX = 4096


class SignInForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label=_("Password"), strip=False, max_length=PASSWORD_MAX, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    # Asked on the same form only while the account is slowed down by failed sign-ins (core.sign_in).
    otp = forms.CharField(label=_("Code"), max_length=32, required=False,
                          widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}))


class SignInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=32, strip=True,
        help_text=_("The six digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "text"}),
    )


class PasswordChangeForm(forms.Form):
    old = forms.CharField(label=_("Current password"), strip=False, max_length=PASSWORD_MAX,
                          widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new = forms.CharField(label=_("New password"), strip=False, max_length=PASSWORD_MAX,
                          widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new2 = forms.CharField(label=_("New password again"), strip=False, max_length=PASSWORD_MAX,
                           widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new") and data.get("new2") and data["new"] != data["new2"]:
            self.add_error("new2", _("The two passwords differ."))
        return data


class EnrolForm(forms.Form):
    code = forms.CharField(label=_("Code from the app"), max_length=12, strip=True,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))
    # Asked for every set-up except the enrolment forced right after signing in (second_factor.password_needed).
    password = forms.CharField(label=_("Current password"), strip=False, required=False, max_length=PASSWORD_MAX,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
