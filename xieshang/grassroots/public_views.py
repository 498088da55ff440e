"""The public portal's grassroots pages: directory, submit a demand, follow it, published answers (no account).

Thin: a form parses, one public service writes (services.phone_code_request, demand_submit_public, phone_follow,
demand_confirm_public), public_selectors read. The committee is the portal's (`?committee=<code>`, else the
default one), kept on every link and form. Bad input never gives a 500: the form comes back with the message
next to its field and everything typed (only photos must be chosen again); a rate limit is a clear message with
status 429. A wrong tracking code gives the same 404 page (with the form to try again) as one that does not exist.
Personal data (the citizen's name and phone) is never shown: pages read only public_selectors' fields.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieshang.core import clock
from xieshang.core.addresses import client_address
from xieshang.core.errors import NotFound, ServiceError, page_error
from xieshang.core.screens import form_error
from xieshang.portal.views import _committee as _portal_committee

from . import public_selectors as pub
from . import selectors, services
from .public_forms import ConfirmForm, FollowForm, PhoneForm, PublicDemandForm, TrackForm

PER_PAGE = 20
FOLLOW_SECONDS = 30 * 60  # how long a confirmed phone's list stays open in the session
SESSION_SUBMIT_PHONE = "grassroots_public_submit_phone"
SESSION_FOLLOW_PHONE = "grassroots_public_follow_phone"
SESSION_SUBMITTED = "grassroots_public_submitted"
SESSION_FOLLOWING = "grassroots_public_following"
SESSION_PLACE = "grassroots_public_place"  # the place whose page the citizen came from (chosen in step 2)


# --- Helpers --------------------------------------------------------------------------------------------------


def _committee(request):
    """The portal's committee choice (`?committee=<code>`); a code no committee can have (NUL) is the 404 page."""
    if "\x00" in request.GET.get("committee", ""):
        raise Http404()
    return _portal_committee(request)


def _cq(request) -> str:
    """The committee's query string ("?committee=…" or "") every link and form keeps."""
    code = request.GET.get("committee")
    return "?" + urlencode({"committee": code}) if code else ""


def _url(request, name: str, *args) -> str:
    return reverse(f"grassroots_public:{name}", args=args) + _cq(request)


_NAV = {"places": "places", "place": "places", "submit": "submit", "thanks": "submit", "track": "track",
        "follow": "track", "answers": "answers", "activities": "activities"}


def _render(request, template: str, committee, status: int = 200, **context):
    cq = _cq(request)
    context.update({"committee": committee, "cq": cq, "committee_query": cq.removeprefix("?"),
                    "gp_nav": _NAV.get(template.split(".")[0].split("_")[0])})
    response = render(request, f"grassroots/public/{template}", context, status=status)
    if context.get("private"):  # a tracking code or a phone's list: no cache keeps it, no other site gets it
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "same-origin"
    return response


def _masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "****"


def _refused(request, form, exc: ServiceError) -> int:
    """A service's refusal on the form: the message next to its field (or at the top), status 429 for a rate
    limit, else 422 (404 and 403 are raised as pages)."""
    if exc.status in (403, 404):
        raise page_error(exc)
    form_error(request, form, exc)
    if not exc.field_errors:
        form.add_error(None, str(exc.message))
    return 429 if exc.detail == "rate_limited" else 422


# --- Directory, a place, activities, published answers --------------------------------------------------------


def places(request):
    """Every public place by county with its rota, hours, phone and this year's answer record (one query)."""
    committee = _committee(request)
    groups = pub.directory(committee)
    return _render(request, "places.html", committee, groups=groups, totals=pub.totals(groups),
                   year=clock.today().year)


def place(request, pk: int):
    committee = _committee(request)
    try:
        item = pub.public_place_get(committee, pk)
    except NotFound as exc:
        raise page_error(exc) from None
    activities = list(pub.upcoming_activities(committee, place=item)[:10])
    answers = list(pub.published_answers(committee, place=item)[:10])
    for demand in answers:
        demand.public_answer = pub.public_answer_text(demand)
    return _render(request, "place.html", committee, place=item, activities=activities, answers=answers,
                   year=clock.today().year)


def activities(request):
    committee = _committee(request)
    page = Paginator(pub.upcoming_activities(committee), PER_PAGE).get_page(request.GET.get("page"))
    return _render(request, "activities.html", committee, page=page, page_query=_page_query(request))


def answers(request):
    """Published answers: the public summary, the answer, the place and the dates (never the original text)."""
    committee = _committee(request)
    page = Paginator(pub.published_answers(committee), PER_PAGE).get_page(request.GET.get("page"))
    for demand in page.object_list:
        demand.public_answer = pub.public_answer_text(demand)
    return _render(request, "answers.html", committee, page=page, page_query=_page_query(request))


def _page_query(request) -> str:
    code = request.GET.get("committee")
    return urlencode({"committee": code}) if code else ""


# --- Submit a demand ------------------------------------------------------------------------------------------


def _phone_step(request, *, purpose: str, session_key: str, template: str, next_name: str):
    """Step 1 of submitting or following: the phone that receives the SMS code (services.phone_code_request)."""
    committee = _committee(request)
    status = 200
    if request.method == "POST":
        form = PhoneForm(request.POST)
        if form.is_robot():
            return redirect(_url(request, next_name))
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            try:
                services.phone_code_request(phone=phone, purpose=purpose, address=client_address(request) or "")
            except ServiceError as exc:
                status = _refused(request, form, exc)
            else:
                request.session[session_key] = phone
                messages.success(request, _("We sent a code to %(phone)s. It is valid for 10 minutes.")
                                 % {"phone": _masked(phone)})
                return redirect(_url(request, next_name))
        else:
            messages.error(request, _("Please correct the marked fields."))
            status = 422
    else:
        form = PhoneForm(initial={"phone": request.session.get(session_key, "")})
        place_id = request.GET.get("place") or ""
        if place_id.isascii() and place_id.isdigit() and len(place_id) < 12:
            request.session[SESSION_PLACE] = int(place_id)
    return _render(request, template, committee, status=status, form=form)


def submit(request):
    """Step 1 of submitting a demand: the phone number that receives the SMS code."""
    return _phone_step(request, purpose="submit", session_key=SESSION_SUBMIT_PHONE, template="submit_phone.html",
                       next_name="submit_form")


def submit_form(request):
    """Step 2: the demand (place, category, text, name, photos) with the code → the thanks page."""
    committee = _committee(request)
    place_rows = list(selectors.public_places(committee).select_related(None).only("id", "name", "county")
                      .order_by("county", "sort_order", "name"))
    status = 200
    photos_lost = False
    if request.method == "POST":
        form = PublicDemandForm(request.POST, request.FILES, places=place_rows, committee=committee)
        if form.is_robot():
            request.session[SESSION_SUBMITTED] = services.new_tracking_code()  # as if it went through
            return redirect(_url(request, "thanks"))
        photos_lost = bool(request.FILES.getlist("photos"))
        if form.is_valid():
            try:
                demand = services.demand_submit_public(
                    committee=committee, data=form.to_data(), photos=form.cleaned_data.get("photos") or (),
                    address=client_address(request) or "", request=request)
            except ServiceError as exc:
                status = _refused(request, form, exc)
            else:
                request.session[SESSION_SUBMITTED] = demand.tracking_code
                request.session.pop(SESSION_SUBMIT_PHONE, None)
                request.session.pop(SESSION_PLACE, None)
                return redirect(_url(request, "thanks"))
        else:
            messages.error(request, _("Please correct the marked fields."))
            status = 422
    else:
        form = PublicDemandForm(places=place_rows, committee=committee, initial={
            "phone": request.session.get(SESSION_SUBMIT_PHONE, ""), "place": request.session.get(SESSION_PLACE)})
    return _render(request, "submit_form.html", committee, status=status, form=form,
                   photos_lost=photos_lost and status != 200)


def thanks(request):
    committee = _committee(request)
    code = request.session.get(SESSION_SUBMITTED)
    if not code:
        return redirect(_url(request, "submit"))
    return _render(request, "thanks.html", committee, code=code, private=True)


# --- Follow my demand (by its tracking code) -----------------------------------------------------------------


def track(request):
    """The form; `?code=` goes to the code's page (normalised), where a wrong code is the 404 page."""
    committee = _committee(request)
    if "code" in request.GET:
        code = services.normalise_code(request.GET["code"])
        return redirect(_url(request, "track_detail", code or "-"))
    return _render(request, "track.html", committee, form=TrackForm())


def _not_found(request, committee, typed=""):
    form = TrackForm(initial={"code": typed[:40]})
    return _render(request, "track.html", committee, status=404, form=form, missing=True)


def _tracking_page(request, committee, demand, form=None, status=200):
    return _render(request, "track_detail.html", committee, status=status, d=pub.tracking_view(demand),
                   form=form or ConfirmForm(), private=True)


def _lookup(request, committee, code):
    """(demand, None), or (None, the page to answer): a wrong code is the 404 page; too many wrong codes from
    this address, the same form with the limit's message (429)."""
    try:
        return pub.demand_by_code(code, address=client_address(request) or ""), None
    except NotFound:
        return None, _not_found(request, committee, code)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        form = TrackForm(initial={"code": str(code)[:40]})
        return None, _render(request, "track.html", committee, status=429, form=form)


def track_detail(request, code: str):
    committee = _committee(request)
    demand, page = _lookup(request, committee, code)
    if page is not None:
        return page
    return _tracking_page(request, committee, demand)


@require_POST
def track_confirm(request, code: str):
    committee = _committee(request)
    demand, page = _lookup(request, committee, code)
    if page is not None:
        return page
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please say whether you are satisfied."))
        return _tracking_page(request, committee, demand, form, status=422)
    try:
        services.demand_confirm_public(tracking_code=demand.tracking_code, satisfied=form.cleaned_data["satisfied"],
                                       comment=form.cleaned_data.get("comment") or "")
    except NotFound:
        return _not_found(request, committee, code)
    except ServiceError as exc:
        if exc.status == 422:
            form_error(request, form, exc)
            return _tracking_page(request, committee, pub.demand_by_code(code), form, status=422)
        messages.error(request, str(exc.message))  # answered meanwhile, or already confirmed
        return redirect(_url(request, "track_detail", demand.tracking_code))
    messages.success(request, _("Thank you. Your answer has been recorded."))
    return redirect(_url(request, "track_detail", demand.tracking_code))


# --- Follow all my demands (phone + SMS code) ---------------------------------------------------------------


def follow(request):
    """Step 1 of following all my demands: the phone that receives the code (purpose "follow")."""
    return _phone_step(request, purpose="follow", session_key=SESSION_FOLLOW_PHONE, template="follow_phone.html",
                       next_name="follow_code")


def follow_code(request):
    """Step 2: the phone and its code → the list of that phone's demands (kept FOLLOW_SECONDS in the session)."""
    committee = _committee(request)
    status = 200
    if request.method == "POST":
        form = FollowForm(request.POST)
        if form.is_robot():
            return redirect(_url(request, "follow"))
        if form.is_valid():
            try:
                phone = services.phone_follow(phone=form.cleaned_data["phone"], code=form.cleaned_data["code"])
            except ServiceError as exc:
                status = _refused(request, form, exc)
            else:
                request.session[SESSION_FOLLOWING] = {"phone": phone, "until": int(time.time()) + FOLLOW_SECONDS}
                request.session.pop(SESSION_FOLLOW_PHONE, None)
                return redirect(_url(request, "follow_list"))
        else:
            messages.error(request, _("Please correct the marked fields."))
            status = 422
    else:
        form = FollowForm(initial={"phone": request.session.get(SESSION_FOLLOW_PHONE, "")})
    return _render(request, "follow_code.html", committee, status=status, form=form)


def _following(request) -> str | None:
    held = request.session.get(SESSION_FOLLOWING)
    if not isinstance(held, dict) or not isinstance(held.get("until"), int) or held["until"] < time.time():
        request.session.pop(SESSION_FOLLOWING, None)
        return None
    return held.get("phone") or None


def follow_list(request):
    committee = _committee(request)
    phone = _following(request)
    if phone is None:
        messages.info(request, _("Please confirm your phone number again to see your demands."))
        return redirect(_url(request, "follow"))
    rows = list(pub.demands_of_phone(phone)[:200])
    return _render(request, "follow_list.html", committee, rows=rows, masked=_masked(phone), private=True,
                   minutes=FOLLOW_SECONDS // 60)


@require_POST
def follow_end(request):
    request.session.pop(SESSION_FOLLOWING, None)
    return redirect(_url(request, "follow"))
