"""Bugs found in the review of the grassroots app (issue #13), each pinned by a test written before its fix."""

from __future__ import annotations

import datetime

import pytest

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core import clock, limits
from xieshang.core.errors import Invalid
from xieshang.core.sms import LocmemSmsBackend
from xieshang.core.tests.factories import MemberFactory, grant
from xieshang.grassroots import services
from xieshang.grassroots import workflow as wf
from xieshang.grassroots.activity_lists import year_figures
from xieshang.grassroots.models import Activity, ActivityKind, Demand, DemandSource
from xieshang.grassroots.tests.activity_kit import login, url
from xieshang.grassroots.tests.factories import ANSWER, make_world, new_demand, plan_activity, walk_to
from xieshang.grassroots.tests.test_documents import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def _held(w):
    activity = plan_activity(w)
    services.activity_hold(actor=w.keeper, activity=activity, present=[w.member_row()], citizens_count=3)
    activity.refresh_from_db()
    return activity


# --- A tracking code is the citizen's key (it confirms the answer on the portal): the minutes of an activity,
# which anyone in the committee may download once it is held, named every demand's code --------------------------


def test_the_minutes_name_only_the_tracking_codes_the_reader_may_see(w):
    activity = _held(w)
    demand = new_demand(w, activity=activity.pk)
    mine = text_of(login(w.keeper).get(url("activity_docx", activity.pk)).content)
    assert demand.tracking_code in mine
    for outsider in (w.other_keeper, w.unit, w.member):
        response = login(outsider).get(url("activity_docx", activity.pk))
        assert response.status_code == 200
        text = text_of(response.content)
        assert demand.tracking_code not in text
        assert "本次活动共收到群众诉求1件" in text  # the count is no secret


# --- A second reception day at the same place and date was a 500 (the database constraint) -----------------------


def test_a_second_reception_day_on_the_same_date_is_a_field_error(w):
    day = clock.today() + datetime.timedelta(days=3)
    plan_activity(w, kind=ActivityKind.RECEPTION_DAY, date=day)
    with pytest.raises(Invalid) as refused:
        plan_activity(w, kind=ActivityKind.RECEPTION_DAY, date=day)
    assert "date" in refused.value.field_errors
    # the page keeps what was typed and names the field; the API answers 422
    response = login(w.keeper).post(url("activity_new"), {
        "kind": "reception_day", "topic": "接待日（第二次）", "date": day.isoformat(), "place": w.place.pk})
    assert response.status_code == 200 and "接待日（第二次）" in response.content.decode()
    # a consultation turned into a reception day on that date: the same
    other = plan_activity(w, date=day)
    with pytest.raises(Invalid):
        services.activity_act(actor=w.keeper, activity=other, action="update", data={
            "kind": "reception_day", "topic": other.topic, "date": day.isoformat()})
    assert Activity.objects.filter(place=w.place, date=day, kind=ActivityKind.RECEPTION_DAY).count() == 1


# --- The year's figures of places (overview, places page, yearly record) counted a reopened demand as answered ----


def test_a_reopened_demand_is_not_counted_as_answered(w):
    demand = walk_to("answered", w)
    assert year_figures(w.committee, clock.today().year)[w.place.pk].answered == 1
    services.demand_confirm_public(tracking_code=demand.tracking_code, satisfied=False)
    demand.refresh_from_db()
    assert demand.state == "referred" and demand.answered_on is not None
    figures = year_figures(w.committee, clock.today().year)[w.place.pk]
    assert (figures.received, figures.answered, figures.on_time) == (1, 0, 0)
    services.demand_answer(actor=w.unit, demand=demand, text=ANSWER)
    assert year_figures(w.committee, clock.today().year)[w.place.pk].answered == 1


# --- Hostile digits in query strings were a 500 ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "١", "٣٣"])
def test_unicode_digits_in_query_strings_are_no_500(w, value):
    activity = plan_activity(w)
    assert login(w.keeper).get(url("demand_new"), {"activity": value}).status_code == 200
    assert login(w.keeper).get(url("demand_new"), {"activity": str(activity.pk) + value}).status_code == 200
    assert login(w.staff).get(url("place", w.place.pk), {"year": value}).status_code == 200
    assert login(w.staff).get(url("overview"), {"year": value}).status_code == 200
    assert login(w.staff).get(url("place_docx", w.place.pk), {"year": value}).status_code == 200


# --- A phone typed in full-width digits was kept as typed: another key for the per-phone limits, an SMS to a
# number no gateway knows, and "follow my demands" never found it ------------------------------------------------


def test_phone_numbers_are_kept_in_ascii_digits():
    assert wf.check_phone("１３８００１３８０００", required=True) == "13800138000"
    assert wf.check_phone("1３８００１３８０００", required=True) == "13800138000"
    assert wf.check_phone("+86 138-0013-8000", required=True) == "13800138000"
    with pytest.raises(ValueError):
        wf.check_phone("1²345678901", required=True)


def test_full_width_digits_share_the_per_phone_code_limit(settings):
    settings.XIESHANG_SMS_BACKEND = "xieshang.core.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    services.phone_code_request(phone="13700000001", address="203.0.113.7")
    with pytest.raises(Invalid) as refused:
        services.phone_code_request(phone="1３７０００００００１", address="203.0.113.8")
    assert refused.value.detail == "rate_limited"


# --- Per-address limits keyed on a whole IPv6 address: every client has a /64 of them -------------------------------


def test_ipv6_addresses_of_one_network_share_a_limit():
    a, b = "2001:db8:1234:5678::1", "2001:db8:1234:5678:abcd:ef01:2345:6789"
    limits.count("review-test", a)
    assert limits.exceeded("review-test", b, limit=1)
    assert not limits.exceeded("review-test", "2001:db8:1234:9999::1", limit=1)
    limits.count("review-test", "198.51.100.1")
    assert not limits.exceeded("review-test", "198.51.100.2", limit=1)  # IPv4: the address itself
    assert not limits.exceeded("review-test", "13800138000", limit=1)  # a phone number is no address


# --- A keeper who is also a member recorded a demand for another place and could not see it (404 after 201) ---------


def test_a_keeper_member_sees_the_demand_they_recorded_for_another_place(w):
    grant(w.keeper, w.committee, "member")
    MemberFactory(committee=w.committee, user=w.keeper)
    demand = services.demand_create(actor=w.keeper, committee=w.committee,
                                    data={"text": "路灯坏了", "place": w.other_place.pk})
    assert demand.source == DemandSource.MEMBER
    assert login(w.keeper).get(url("demand", demand.pk)).status_code == 200
    own = services.demand_create(actor=w.keeper, committee=w.committee, data={"text": "路灯坏了", "place": w.place.pk})
    assert own.source == DemandSource.KEEPER


# --- The citizen of a demand a keeper or member recorded never got its tracking code by SMS --------------------------


def test_a_recorded_demand_sends_the_tracking_code(w, settings, django_capture_on_commit_callbacks):
    settings.XIESHANG_SMS_BACKEND = "xieshang.core.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        demand = new_demand(w, phone="13600000002")
    assert [(p, demand.tracking_code in t) for p, t in LocmemSmsBackend.outbox] == [("13600000002", True)]
    assert "路灯" not in LocmemSmsBackend.outbox[0][1] and "张先生" not in LocmemSmsBackend.outbox[0][1]


# --- A demand could be tied to an activity the recorder may not see (the API then showed its topic) -------------------


def test_a_demand_cannot_name_an_activity_the_recorder_may_not_see(w):
    hidden = services.activity_create(actor=w.other_keeper, committee=w.committee, data={
        "topic": "尚未公布的议题", "date": clock.today().isoformat(), "place": w.other_place.pk})
    with pytest.raises(Invalid) as refused:
        new_demand(w, activity=hidden.pk)
    assert "activity" in refused.value.field_errors
    response = ApiClient(issue_token(w.keeper)).post("demands", {"text": "路灯坏了", "activity": hidden.pk})
    assert response.status_code in (403, 422) and "尚未公布的议题" not in response.content.decode()


# --- A tracking code drawn twice (once in 10^15) was a 500 instead of a new draw ---------------------------------


def test_a_tracking_code_collision_draws_again(w, monkeypatch):
    first = new_demand(w)
    draws = iter([first.tracking_code, "ZZZZZZZZZZ"])
    monkeypatch.setattr(services, "new_tracking_code", lambda: next(draws))
    second = new_demand(w)
    assert second.tracking_code == "ZZZZZZZZZZ"
    assert Demand.objects.count() == 2


# --- The citizen's SMS was written in the language of the keeper or unit whose action sent it -----------------------


def test_the_citizen_is_texted_in_the_portal_language(w, monkeypatch):
    from django.utils import translation

    from xieshang.core.notices import Notice

    languages = []
    render = Notice.render

    def recording(self):
        if "code" in self.params:  # the SMS texts (notifications to users name a `subject`)
            languages.append(translation.get_language())
        return render(self)

    monkeypatch.setattr(Notice, "render", recording)
    demand = new_demand(w)
    with translation.override("en"):
        services.demand_accept(actor=w.keeper, demand=demand)
        services.demand_refer(actor=w.keeper, demand=demand, unit=w.unit_row)
        services.demand_answer(actor=w.unit, demand=demand, text=ANSWER)
    assert languages == ["zh-hans"] * 4  # received, accepted, referred, answered


# --- A published answer the citizen was not satisfied with: the next answer went on the portal unread by the place ----


def test_a_reopened_demand_leaves_the_portal_until_published_again(w):
    from xieshang.grassroots import public_selectors as pub

    demand = walk_to("answered", w)
    services.demand_publish(actor=w.keeper, demand=demand, summary="小区路灯维修")
    assert list(pub.published_answers(w.committee)) == [demand]
    services.demand_confirm_public(tracking_code=demand.tracking_code, satisfied=False)
    services.demand_answer(actor=w.unit, demand=demand, text="第二次答复：请拨打13812345678联系张三。")
    demand.refresh_from_db()
    assert demand.state == "answered" and not demand.public
    assert list(pub.published_answers(w.committee)) == []
    services.demand_publish(actor=w.keeper, demand=demand, summary="小区路灯维修")
    assert list(pub.published_answers(w.committee)) == [demand]
