"""Forms of the public portal's grassroots pages (no account). They parse what a citizen posts into the `data`
of one public service (services.phone_code_request, demand_submit_public, phone_follow, demand_confirm_public);
the services' schemas (workflow.PublicDemandInput, PhoneInput, ConfirmInput) check it again. Forms never write.
A bound form keeps everything typed (the phone and the code too) when it comes back with errors; only chosen
photos cannot be kept by a browser.

The anti-robot measure is the portal's: a field people do not see (`website`); a form that fills it is answered
as if it went through, and nothing is kept.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xieshang.core import categories
from xieshang.core.text import text_field

from . import workflow as wf
from .forms import PhotosField  # the signed-in form's: type and size are checked by services.check_photos
from .models import PHOTO_BYTES, PHOTO_LIMIT, TEXT_LIMIT

HONEYPOT = "website"


class _Honeypot(forms.Form):
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def is_robot(self) -> bool:
        return bool((self.data.get(HONEYPOT) or "").strip())


def _phone_field(**kwargs):
    field = forms.CharField(label=_("Mobile phone"), max_length=30, **kwargs)
    field.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel", "data-testid": "public-phone"})
    return field


def _code_field(**kwargs):
    field = forms.CharField(label=_("SMS code"), max_length=12, **kwargs)
    field.widget.attrs.update({"inputmode": "numeric", "autocomplete": "one-time-code", "data-testid": "public-code"})
    return field


def _clean_phone(value: str) -> str:
    try:
        return wf.check_phone(value, required=True)
    except ValueError as exc:
        raise forms.ValidationError(str(exc), code="phone") from None


class PhoneForm(_Honeypot):
    """Step 1 of submitting a demand, or of following all of one's demands: the phone that gets the SMS code."""

    phone = _phone_field(help_text=_("We send a 6-digit code to this number. It is never shown on the portal."))

    def clean_phone(self):
        return _clean_phone(self.cleaned_data["phone"])


class PublicDemandForm(_Honeypot):
    """Step 2: the demand (workflow.PublicDemandInput) and its photos."""

    phone = _phone_field()
    code = _code_field(help_text=_("The 6-digit code we sent by SMS (valid for 10 minutes)."))
    place = forms.TypedChoiceField(label=_("Place"), coerce=int, choices=(), empty_value=None,
                                   help_text=_("The liaison station or studio nearest to you."))
    category = forms.ChoiceField(label=_("Category"), choices=())  # the committee's own list (__init__)
    text = text_field(TEXT_LIMIT, label=_("Your demand"), widget=forms.Textarea(attrs={"rows": 7}),
                      help_text=_("The problem, where it is, and what you would like done. At most %(n)d characters.")
                      % {"n": TEXT_LIMIT})
    name = text_field(40, label=_("Your name (optional)"), required=False, single_line=True,
                      help_text=_("Seen only by the place and the unit that answers; never on the portal."))
    photos = PhotosField(label=_("Photos (optional)"), required=False,
                         help_text=_("At most %(n)d JPEG, PNG or WebP photos of up to %(mb)d MB each.")
                         % {"n": PHOTO_LIMIT, "mb": PHOTO_BYTES >> 20})

    def __init__(self, *args, places=(), committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        categories.use(self.fields["category"], committee)
        places = list(places)
        self.fields["place"].choices = [("", _("Choose…"))] + [(p.pk, f"{p.name}（{p.county}）") for p in places]
        self.fields["text"].widget.attrs.update({"maxlength": TEXT_LIMIT, "data-testid": "public-text"})
        self.fields["photos"].widget.attrs.update({"accept": "image/jpeg,image/png,image/webp"})

    def clean_phone(self):
        return _clean_phone(self.cleaned_data["phone"])

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > PHOTO_LIMIT:
            raise forms.ValidationError(_("At most %(n)d photos.") % {"n": PHOTO_LIMIT})
        return photos

    def to_data(self) -> dict:
        c = self.cleaned_data
        return {"phone": c["phone"], "code": c["code"], "text": c["text"], "category": c["category"],
                "name": c.get("name") or "", "place": c.get("place")}


class TrackForm(forms.Form):
    """Follow a demand by its tracking code (spaces, dashes and lower case are fine)."""

    code = forms.CharField(label=_("Tracking code"), max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocapitalize": "characters", "autocomplete": "off",
                                                 "spellcheck": "false", "data-testid": "track-code"})


class ConfirmForm(forms.Form):
    """The citizen's verdict on the answer (workflow.ConfirmInput)."""

    satisfied = forms.TypedChoiceField(
        label=_("Are you satisfied with the answer?"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", _("Yes, satisfied")), ("no", _("No, not satisfied"))])
    comment = text_field(1000, label=_("Comment (optional)"), required=False,
                         widget=forms.Textarea(attrs={"rows": 3}))


class FollowForm(_Honeypot):
    """Follow all my demands: the phone and the SMS code sent to it (purpose "follow")."""

    phone = _phone_field()
    code = _code_field()

    def clean_phone(self):
        return _clean_phone(self.cleaned_data["phone"])
