"""The public grassroots API (/api/v1/public/…, no token): SMS code → demand → tracking code (a retry gives the
same code), following and confirming by tracking code, the directory. A wrong code is the same 404 as a missing
one; rate limits are 429 `rate_limited`; hostile input never gives a 500; no answer carries the name or phone."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xieshang.grassroots import services
from xieshang.grassroots.models import Demand, DemandState
from xieshang.grassroots.tests.factories import ANSWER, make_place, make_world, walk_to
from xieshang.grassroots.tests.public_kit import NAME, PHONE, TEXT, assert_no_personal_data, sms, sms_code  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms")]

API = "/api/v1/public"


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def _post(path, body, **headers):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"{API}{path}", data, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en",
                               **headers)

    return _post


def get(client, path, **params):
    return client.get(f"{API}{path}", params, HTTP_ACCEPT_LANGUAGE="en")


def no_personal_data(body, *extra) -> None:
    assert_no_personal_data(json.dumps(body, ensure_ascii=False), *extra)


def submit(post, w, phone=PHONE, **values):
    assert post("/phone-codes", {"phone": phone}).status_code == 202
    return post("/demands", {"phone": phone, "code": sms_code(phone), "text": TEXT, "name": NAME,
                             "place": w.place.pk, **values})


def test_submit_follow_and_confirm(client, post, w):
    sent = post("/phone-codes", {"phone": "+86 139-1234-0000"})
    assert sent.status_code == 202 and sent.json() == {"sent": True, "expires_in": 600}
    body = {"phone": PHONE, "code": sms_code(), "text": TEXT, "name": NAME, "place": w.place.pk, "category": "other"}
    made = post("/demands", body)
    assert made.status_code == 201, made.content
    code = made.json()["tracking_code"]
    assert set(made.json()) == {"tracking_code"} and len(code) == 10
    again = post("/demands", body)  # a retry after a lost answer
    assert again.status_code == 201 and again.json()["tracking_code"] == code
    assert Demand.objects.count() == 1

    seen = get(client, f"/demands/{code.lower()[:5]}-{code[5:]}")
    assert seen.status_code == 200
    out = seen.json()
    assert out["tracking_code"] == code and out["state"] == "received" and out["place"] == w.place.name
    assert out["holder"] == w.place.name and out["answer"] == "" and out["received_on"]
    assert not {"name", "phone", "text", "citizen_name"} & set(out)
    no_personal_data(out, TEXT)

    demand = walk_to("answered", w, Demand.objects.get())
    out = get(client, f"/demands/{code}").json()
    assert out["state"] == "answered" and out["answer"] == ANSWER and out["answered_on"]
    confirmed = post(f"/demands/{code}/confirm", {"satisfied": True, "comment": "满意"})
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "closed"
    assert confirmed.json()["satisfaction"] == "satisfied"
    no_personal_data(confirmed.json())
    demand.refresh_from_db()
    assert demand.state == DemandState.CLOSED
    twice = post(f"/demands/{code}/confirm", {"satisfied": False})
    assert twice.status_code == 409 and twice.json()["code"] == "illegal_transition"


def test_wrong_code_is_the_same_404_as_a_missing_one(client, post, w):
    demand = walk_to("answered", w)
    wrong = demand.tracking_code[:-1] + ("X" if demand.tracking_code[-1] != "X" else "Y")
    answers = [get(client, f"/demands/{c}") for c in (wrong, "ZZZZZZZZZZ", "x", "%00")]
    assert {r.status_code for r in answers} == {404}
    assert len({r.content for r in answers}) == 1 and answers[0].json()["code"] == "not_found"
    confirm = post(f"/demands/{wrong}/confirm", {"satisfied": True})
    assert confirm.status_code == 404 and confirm.content == answers[0].content


def test_bad_sms_code_names_the_field(post, w):
    post("/phone-codes", {"phone": PHONE})
    response = post("/demands", {"phone": PHONE, "code": "000000", "text": TEXT, "place": w.place.pk})
    assert response.status_code == 422
    assert response.json()["detail"] == "bad_code" and "code" in response.json()["fields"]


def test_missing_place_and_bad_phone(post, w):
    post("/phone-codes", {"phone": PHONE})
    response = post("/demands", {"phone": PHONE, "code": sms_code(), "text": TEXT})
    assert response.status_code == 422 and "place" in response.json()["fields"]
    hidden = make_place(w.committee, public=False)
    response = post("/demands", {"phone": PHONE, "code": sms_code(), "text": TEXT, "place": hidden.pk})
    assert response.status_code == 422 and "place" in response.json()["fields"]
    bad = post("/phone-codes", {"phone": "12345"})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error" and "phone" in bad.json()["fields"]
    assert post("/phone-codes", {"phone": PHONE, "purpose": "spam"}).status_code == 422


def test_rate_limits_are_429(post, w, settings):
    assert post("/phone-codes", {"phone": PHONE}).status_code == 202
    again = post("/phone-codes", {"phone": PHONE})
    assert again.status_code == 429 and again.json()["code"] == "rate_limited"
    assert "minute" in again.json()["message"] and again["Retry-After"]
    settings.XIESHANG_GRASSROOTS_LIMITS = {"SUBMITS_PER_ADDRESS_HOUR": 1}
    assert submit(post, w, phone="13912340001").status_code == 201
    refused = submit(post, w, phone="13912340002", text="另一件事")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert Demand.objects.count() == 1


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>",
    "路灯\x00坏了",
    "路灯\ud800坏了",
    "长" * 100_000,
])
def test_hostile_text_never_gives_a_500(client, post, w, text):
    response = submit(post, w, text=text, name=text[:40])
    assert response.status_code in (201, 422), response.content
    if len(text) > 10_000:
        assert response.status_code == 422 and "text" in response.json()["fields"]
        return
    demand = Demand.objects.get()
    assert "\x00" not in demand.text and "\ud800" not in demand.text
    assert get(client, f"/demands/{response.json()['tracking_code']}").status_code == 200


def test_bodies_that_are_not_objects(post, w):
    for body in ("[]", "not json", "null", '{"phone": ["x"]}', '{"phone": {"a": 1}}'):
        assert post("/phone-codes", body).status_code in (400, 422)
    assert post("/demands", '{"place": 99999999999999999999}').status_code == 422


def test_directory_with_figures_in_fixed_queries(client, w):
    demand = walk_to("answered", w)
    walk_to("received", w)

    def fetch(fresh=True):
        from django.core.cache import cache

        if fresh:  # the figures are cached for a few minutes: count the queries of a cold page
            cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            response = get(client, "/places", committee=w.committee.code)
        assert response.status_code == 200
        return response.json(), len(ctx)

    body, small = fetch()
    row = next(p for p in body["items"] if p["id"] == w.place.pk)
    assert (row["received"], row["answered"], row["on_time_rate"]) == (2, 1, 100)
    assert row["reception_days"] == [10, 20] and row["county"] == "昌吉市" and row["kind"] == "station"
    for county in ("奇台县", "木垒县", "玛纳斯县"):
        make_place(w.committee, county=county)
    hidden = make_place(w.committee, public=False)
    body, large = fetch()
    assert large == small and len(body["items"]) == 5
    assert fetch(fresh=False)[1] < large  # the next visitor within minutes reads the figures from the cache
    assert hidden.pk not in {p["id"] for p in body["items"]}
    no_personal_data(body, demand.text)
    assert get(client, "/places", committee="nope").status_code == 404
    assert get(client, "/places", year="abc").status_code == 422


def test_no_token_needed_and_no_csrf(w):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(f"{API}/phone-codes", json.dumps({"phone": PHONE}), content_type="application/json")
    assert response.status_code == 202
    assert strict.get(f"{API}/places").status_code == 200
    assert services.CODE_TTL.total_seconds() == 600


def test_wrong_tracking_codes_from_one_address_are_limited(client, w):
    """Codes cannot be tried in bulk: after 30 wrong ones an address gets 429, on the page and the API."""
    from xieshang.grassroots import public_selectors as pub

    for i in range(pub.MISSES_PER_ADDRESS_HOUR):
        assert client.get(f"/api/v1/public/demands/ZZZZZZ{i:04d}", REMOTE_ADDR="10.9.9.9").status_code == 404
    answer = client.get("/api/v1/public/demands/ZZZZZZ9999", REMOTE_ADDR="10.9.9.9")
    assert answer.status_code == 429 and answer.json()["code"] == "rate_limited"
    assert client.get("/public/track/ZZZZZZ9999/", REMOTE_ADDR="10.9.9.9").status_code == 429
    assert client.get("/api/v1/public/demands/ZZZZZZ9999", REMOTE_ADDR="10.9.9.8").status_code == 404
