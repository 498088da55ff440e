"""The citizen's side of the grassroots app on the public portal (/public/…), by HTTP: the directory and a place's
page, submitting a demand (phone → SMS code → the form → the tracking code), following it by its code and
confirming the answer, following all of one's demands by phone, published answers, upcoming activities.
Bad input never gives a 500 and loses nothing typed; a wrong code is the same 404 as a missing one; the citizen's
name and phone never appear on a public page; lists take a fixed number of queries."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xieshang.core import clock
from xieshang.grassroots import public_views, services
from xieshang.grassroots.models import Demand, DemandPhoto, DemandState, Place
from xieshang.grassroots.tests.factories import ANSWER, make_place, make_world, plan_activity, walk_to
from xieshang.grassroots.tests.public_kit import (  # noqa: F401 (sms: the fixture)
    NAME, PHONE, PNG, TEXT, assert_no_personal_data, sms, sms_code,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms")]


@pytest.fixture
def w():
    world = make_world()
    Place.objects.filter(pk=world.place.pk).update(opening_hours="周一至周五 9:00-17:00", phone="0994-1234567",
                                                   township="宁边路街道", address="宁边西路5号")
    world.place.refresh_from_db()
    return world


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a request with its after-commit work (the SMS) done, as in production."""

    def _run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return _run


def url(w, name, *args):
    return reverse(f"grassroots_public:{name}", args=args) + f"?committee={w.committee.code}"


def html(response) -> str:
    return response.content.decode()


def ask_code(client, run, w, phone=PHONE, name="submit"):
    return run(client.post, url(w, name), {"phone": phone, "website": ""})


def demand_form(w, **values) -> dict:
    return {"phone": PHONE, "code": sms_code(), "place": w.place.pk, "category": "other", "text": TEXT,
            "name": NAME, "website": "", **values}


# --- The whole path ------------------------------------------------------------------------------------------


def test_citizen_submits_follows_and_confirms(client, run, w):
    page = client.get(url(w, "submit"))
    assert page.status_code == 200 and 'data-testid="public-phone-form"' in html(page)
    sent = ask_code(client, run, w, phone="139 1234 0000")
    assert sent.status_code == 302 and sent["Location"] == url(w, "submit_form")
    form = client.get(sent["Location"])
    assert PHONE in html(form)  # the phone typed in step 1 is filled in (only on the citizen's own form)
    photo = SimpleUploadedFile("渠.png", PNG, content_type="image/png")
    done = run(client.post, url(w, "submit_form"), {**demand_form(w), "photos": [photo]})
    assert done.status_code == 302 and done["Location"] == url(w, "thanks")
    demand = Demand.objects.get()
    assert (demand.phone, demand.citizen_name, demand.source) == (PHONE, NAME, "portal")
    assert DemandPhoto.objects.filter(demand=demand, content_type="image/png").count() == 1
    thanks = client.get(done["Location"])
    assert f'data-testid="tracking-code" id="tracking-code">{demand.tracking_code}<' in html(thanks)
    assert thanks["Cache-Control"] == "private, no-store"
    assert_no_personal_data(html(thanks))

    # follow it: lower case, spaces and dashes are fine
    typed = f"{demand.tracking_code[:4].lower()} -{demand.tracking_code[4:]}"
    go = client.get(reverse("grassroots_public:track"), {"code": typed, "committee": w.committee.code})
    assert go.status_code == 302 and go["Location"] == url(w, "track_detail", demand.tracking_code)
    tracking = client.get(go["Location"])
    assert tracking.status_code == 200 and 'data-testid="track-state"' in html(tracking)
    assert w.place.name in html(tracking) and 'data-testid="confirm-form"' not in html(tracking)
    assert_no_personal_data(html(tracking), TEXT)

    # the keeper accepts and refers it, the unit answers
    walk_to("answered", w, demand)
    tracking = html(client.get(url(w, "track_detail", demand.tracking_code)))
    assert ANSWER in tracking and 'data-testid="confirm-form"' in tracking
    assert_no_personal_data(tracking, TEXT)
    confirmed = client.post(url(w, "track_confirm", demand.tracking_code), {"satisfied": "yes", "comment": "谢谢"})
    assert confirmed.status_code == 302
    demand.refresh_from_db()
    assert demand.state == DemandState.CLOSED and demand.satisfaction == "satisfied"
    assert demand.citizen_comment == "谢谢"
    after = html(client.get(confirmed["Location"]))
    assert 'data-testid="track-satisfaction"' in after and 'data-testid="confirm-form"' not in after


def test_coming_from_a_place_chooses_it(client, run, w):
    page = html(client.get(url(w, "place", w.other_place.pk)))
    assert f"place={w.other_place.pk}" in page
    client.get(url(w, "submit") + f"&place={w.other_place.pk}")
    ask_code(client, run, w)
    form = html(client.get(url(w, "submit_form")))
    assert f'value="{w.other_place.pk}" selected' in form
    client.get(url(w, "submit") + "&place=99999999999999999999")  # no such id: ignored
    assert client.get(url(w, "submit_form")).status_code == 200


def test_not_satisfied_reopens_and_shows_who_holds_it(client, w):
    demand = walk_to("answered", w)
    response = client.post(url(w, "track_confirm", demand.tracking_code), {"satisfied": "no"})
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.state == DemandState.REFERRED
    page = html(client.get(url(w, "track_detail", demand.tracking_code)))
    assert w.unit_row.name in page and 'data-testid="track-due"' in page


def test_declined_demand_shows_the_reason(client, w):
    demand = walk_to("declined", w)
    page = html(client.get(url(w, "track_detail", demand.tracking_code)))
    assert "不属于本站受理范围" in page and 'data-testid="track-decline"' in page


def test_confirm_without_a_verdict_keeps_the_comment(client, w):
    demand = walk_to("answered", w)
    response = client.post(url(w, "track_confirm", demand.tracking_code), {"comment": "还没修好<script>"})
    assert response.status_code == 422
    assert "还没修好&lt;script&gt;" in html(response)
    demand.refresh_from_db()
    assert demand.state == DemandState.ANSWERED


def test_confirm_twice_is_a_message_not_an_error(client, w):
    demand = walk_to("closed", w)
    response = client.post(url(w, "track_confirm", demand.tracking_code), {"satisfied": "yes"}, follow=True)
    assert response.status_code == 200 and 'class="error"' in html(response)


# --- Nothing typed is lost -------------------------------------------------------------------------------------


def test_a_wrong_code_keeps_everything_typed(en, run, w):
    ask_code(en, run, w)
    photo = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    response = en.post(url(w, "submit_form"), {**demand_form(w, code="000000"), "photos": [photo]})
    assert response.status_code == 422
    page = html(response)
    assert "The code is wrong or has expired" in page
    for typed in (PHONE, "000000", TEXT, NAME, f'value="{w.place.pk}" selected'):
        assert typed in page
    assert 'data-testid="photos-lost"' in page
    assert not Demand.objects.exists()


def test_form_errors_keep_everything_typed(en, w):
    response = en.post(url(w, "submit_form"), {"phone": "12345", "code": "12", "place": "", "text": "",
                                               "name": NAME, "category": "other"})
    assert response.status_code == 422
    page = html(response)
    assert "Enter an 11-digit mobile phone number." in page
    assert 'value="12345"' in page and 'value="12"' in page and NAME in page
    assert 'data-testid="photos-lost"' not in page  # no photo was chosen


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"GIF89a" + b"\x00" * 40, "x.png", "Only JPEG, PNG or WebP photos."),
    (b"%PDF-1.4 hello", "x.jpg", "Only JPEG, PNG or WebP photos."),
    (PNG + b"\x00" * (5 * 1024 * 1024), "big.png", "A photo may have at most 5 MB."),
])
def test_photo_type_and_size(en, run, w, content, name, message):
    ask_code(en, run, w)
    photo = SimpleUploadedFile(name, content, content_type="image/png")
    response = en.post(url(w, "submit_form"), {**demand_form(w), "photos": [photo]})
    assert response.status_code == 422
    page = html(response)
    assert message in page and TEXT in page and 'data-testid="photos-lost"' in page
    assert not Demand.objects.exists()


def test_four_photos_are_too_many(en, run, w):
    ask_code(en, run, w)
    photos = [SimpleUploadedFile(f"{i}.png", PNG, content_type="image/png") for i in range(4)]
    response = en.post(url(w, "submit_form"), {**demand_form(w), "photos": photos})
    assert response.status_code == 422 and "At most 3 photos." in html(response)
    assert not Demand.objects.exists()


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>{{ 7*7 }}",
    "路灯\x00坏了\x01",
    "长" * 100_000,
])
def test_hostile_text_never_gives_a_500(en, run, w, text):
    ask_code(en, run, w)
    response = en.post(url(w, "submit_form"), demand_form(w, text=text, name=text[:60]))
    assert response.status_code in (302, 422)
    page = html(response) if response.status_code == 422 else html(en.get(response["Location"]))
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    if len(text) > 50_000:
        assert response.status_code == 422 and "at most 2000 characters" in page
    for demand in Demand.objects.all():
        assert "\x00" not in demand.text
        tracking = html(en.get(url(w, "track_detail", demand.tracking_code)))
        assert "<script>alert(1)</script>" not in tracking


def test_lone_surrogates_and_bad_bytes_in_a_form(en, run, w):
    ask_code(en, run, w)
    code = sms_code()
    body = (f"phone={PHONE}&code={code}&place={w.place.pk}&category=other&website=&text=%ED%A0%80%FF%FE"
            f"{'%E6%B8%A0' * 5}&name=%ED%B0%80")
    response = en.post(url(w, "submit_form"), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 422)
    for path in (f"/public/track/%ED%A0%80/", "/public/track/%00/", "/public/places/%FF/"):
        assert en.get(path).status_code == 404


def test_the_honeypot_keeps_nothing(client, run, w):
    ask_code(client, run, w)
    response = client.post(url(w, "submit_form"), demand_form(w, website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == url(w, "thanks")
    assert not Demand.objects.exists()
    assert client.get(response["Location"]).status_code == 200


# --- Wrong codes, limits ---------------------------------------------------------------------------------------


def _without_tokens(page: str) -> str:
    """The page without its CSRF tokens (a new mask on every answer) and the language form's way back."""
    page = re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1TOKEN", page)
    return re.sub(r'name="next" type="hidden" value="[^"]*"', "NEXT", page)


def test_a_wrong_code_is_the_same_404_as_a_missing_one(client, w):
    demand = walk_to("accepted", w)
    wrong = demand.tracking_code[:-1] + ("X" if demand.tracking_code[-1] != "X" else "Y")
    answers = []
    for code in (wrong, "ZZZZZZZZZZ"):
        response = client.get(url(w, "track_detail", code))
        assert response.status_code == 404 and 'data-testid="track-form"' in html(response)
        answers.append(_without_tokens(html(response)).replace(code, "CODE"))
    assert answers[0] == answers[1]
    confirm = client.post(url(w, "track_confirm", wrong), {"satisfied": "yes"})
    assert confirm.status_code == 404 and _without_tokens(html(confirm)).replace(wrong, "CODE") == answers[0]
    assert client.get(reverse("grassroots_public:track") + "?code=").status_code == 302
    assert client.get("/public/track/-/").status_code == 404


def test_sms_code_rate_limit_is_a_clear_message(en, run, w):
    assert ask_code(en, run, w).status_code == 302
    again = ask_code(en, run, w)
    assert again.status_code == 429
    assert "less than a minute ago" in html(again) and PHONE in html(again)


def test_submission_rate_limit_per_address(en, run, w, settings):
    settings.XIESHANG_GRASSROOTS_LIMITS = {"SUBMITS_PER_ADDRESS_HOUR": 1}
    ask_code(en, run, w)
    assert run(en.post, url(w, "submit_form"), demand_form(w)).status_code == 302
    other = "13912340001"
    ask_code(en, run, w, phone=other)
    response = en.post(url(w, "submit_form"), demand_form(w, phone=other, code=sms_code(other), text="另一件事"))
    assert response.status_code == 429
    page = html(response)
    assert "Too many demands from your connection" in page and "另一件事" in page and other in page
    assert Demand.objects.count() == 1


def test_resending_the_form_gives_the_same_tracking_code(client, run, w):
    ask_code(client, run, w)
    data = demand_form(w)
    first = run(client.post, url(w, "submit_form"), data)
    code = client.session[public_views.SESSION_SUBMITTED]
    second = run(client.post, url(w, "submit_form"), data)
    assert first.status_code == second.status_code == 302
    assert client.session[public_views.SESSION_SUBMITTED] == code and Demand.objects.count() == 1


# --- Follow all my demands ------------------------------------------------------------------------------------


def test_follow_all_my_demands_by_phone(client, run, w, monkeypatch):
    mine = [walk_to("accepted", w, services.demand_create(actor=w.keeper, committee=w.committee, data={
        "text": f"第{i}件事", "phone": PHONE, "name": NAME})) for i in range(2)]
    someone_else = walk_to("received", w)
    assert client.get(url(w, "follow_list")).status_code == 302  # not confirmed yet
    sent = ask_code(client, run, w, name="follow")
    assert sent.status_code == 302 and sent["Location"] == url(w, "follow_code")
    wrong = client.post(url(w, "follow_code"), {"phone": PHONE, "code": "000000"})
    assert wrong.status_code == 422 and 'value="000000"' in html(wrong)
    ok = client.post(url(w, "follow_code"), {"phone": PHONE, "code": sms_code()})
    assert ok.status_code == 302 and ok["Location"] == url(w, "follow_list")
    page = html(client.get(ok["Location"]))
    for demand in mine:
        assert demand.tracking_code in page
    assert someone_else.tracking_code not in page
    assert_no_personal_data(page, "第0件事")
    assert "139****0000" in page
    # after 30 minutes the list closes
    later = time.time() + public_views.FOLLOW_SECONDS + 1
    monkeypatch.setattr(public_views.time, "time", lambda: later)
    assert client.get(url(w, "follow_list")).status_code == 302


def test_follow_list_can_be_closed(client, run, w):
    ask_code(client, run, w, name="follow")
    client.post(url(w, "follow_code"), {"phone": PHONE, "code": sms_code()})
    assert client.get(url(w, "follow_list")).status_code == 200
    client.post(url(w, "follow_end"))
    assert client.get(url(w, "follow_list")).status_code == 302


# --- Directory, place, answers, activities ---------------------------------------------------------------------


def _answered_public(w, summary="灌溉渠清淤"):
    demand = walk_to("answered", w, services.demand_create(actor=w.keeper, committee=w.committee, data={
        "text": "原始诉求原文不公开", "phone": PHONE, "name": NAME}))
    services.demand_publish(actor=w.keeper, demand=demand, summary=summary)
    return demand


def test_directory_by_county_with_figures(en, w):
    _answered_public(w)
    walk_to("received", w)
    hidden = make_place(w.committee, name="内部站点", public=False)
    response = en.get(url(w, "places"))
    assert response.status_code == 200
    page = html(response)
    assert "昌吉市" in page and "阜康市" in page and w.place.name in page and hidden.name not in page
    assert "Days 10, 20 of each month" in page
    assert "周一至周五 9:00-17:00" in page and "0994-1234567" in page and "宁边西路5号" in page
    place = next(p for _c, rows in public_views.pub.directory(w.committee) for p in rows if p.pk == w.place.pk)
    assert (place.figures.received, place.figures.answered, place.figures.on_time_rate) == (2, 1, 100)
    assert_no_personal_data(page)


def test_rota_in_chinese(w):
    from django.utils import translation

    with translation.override("zh-hans"):
        label = public_views.pub.rota_label(w.place)
    assert "10" in label and "20" in label


def test_directory_and_answers_take_a_fixed_number_of_queries(client, w):
    def count(name):
        client.get(url(w, name))  # sessions, caches warm
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(w, name)).status_code == 200
        return len(ctx)

    _answered_public(w)
    services.activity_publish(actor=w.keeper, activity=plan_activity(w, date=clock.today(), topic="今天的活动"))
    small = {name: count(name) for name in ("places", "answers", "activities")}
    for i in range(4):
        make_place(w.committee, county=["奇台县", "木垒县"][i % 2], reception_days="10,20")
        _answered_public(w, summary=f"第{i}件")
        plan = plan_activity(w, date=clock.today() + datetime.timedelta(days=i + 1), topic=f"活动{i}")
        services.activity_publish(actor=w.keeper, activity=plan)
    large = {name: count(name) for name in ("places", "answers", "activities")}
    assert large == small


def test_place_page_and_hidden_place(client, w):
    _answered_public(w)
    activity = plan_activity(w, date=clock.today() + datetime.timedelta(days=5))
    services.activity_publish(actor=w.keeper, activity=activity)
    page = html(client.get(url(w, "place", w.place.pk)))
    assert w.place.name in page and "灌溉渠清淤" in page and activity.topic in page
    assert "原始诉求原文不公开" not in page
    assert_no_personal_data(page)
    hidden = make_place(w.committee, public=False)
    assert client.get(url(w, "place", hidden.pk)).status_code == 404
    assert client.get(url(w, "place", 999999)).status_code == 404


def test_published_answers_never_show_the_original(client, w):
    demand = _answered_public(w)
    unpublished = walk_to("answered", w)
    response = client.get(url(w, "answers"))
    page = html(response)
    assert "灌溉渠清淤" in page and ANSWER in page and w.place.name in page
    assert "原始诉求原文不公开" not in page and unpublished.text not in page
    assert demand.tracking_code not in page
    assert_no_personal_data(page)
    assert client.get(url(w, "answers") + "&page=abc").status_code == 200


def test_upcoming_activities_only_published_from_today(client, w):
    published = plan_activity(w, date=clock.today() + datetime.timedelta(days=3), topic="春耕用水协商会")
    services.activity_publish(actor=w.keeper, activity=published)
    planned = plan_activity(w, date=clock.today() + datetime.timedelta(days=4), topic="尚未发布的活动")
    page = html(client.get(url(w, "activities")))
    assert published.topic in page and planned.topic not in page


def test_portal_home_links_the_citizens_pages(client, w):
    page = html(client.get(reverse("portal:home") + f"?committee={w.committee.code}"))
    for name in ("submit", "track", "places", "answers"):
        assert reverse(f"grassroots_public:{name}") in page


def test_unknown_committee_is_404(client):
    assert client.get(reverse("grassroots_public:places") + "?committee=nope").status_code == 404


def test_hostile_names_and_summaries_are_escaped(client, w):
    script = "<script>alert(1)</script>{{ 7*7 }}"
    Place.objects.filter(pk=w.place.pk).update(name=f"站{script}", address=script, opening_hours=script)
    _answered_public(w, summary=f"摘要{script}")
    activity = plan_activity(w, date=clock.today() + datetime.timedelta(days=2), topic=f"活动{script}")
    services.activity_publish(actor=w.keeper, activity=activity)
    for name, args in (("places", ()), ("place", (w.place.pk,)), ("answers", ()), ("activities", ())):
        response = client.get(url(w, name, *args))
        assert response.status_code == 200
        page = html(response)
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page and "{{ 7*7 }}" in page
