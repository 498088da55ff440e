"""The text engine at work: training per committee, the model store, suggestions, similar items, the panels,
the API and the acceptance rate (issue #16; docs/text.md "In the product")."""

from __future__ import annotations

import json
import logging
import shutil

import pytest
from django.core.management import call_command
from django.urls import reverse

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core import registry
from xieshang.proposals import services as proposal_services
from xieshang.proposals.models import Proposal
from xieshang.proposals.tests.factories import ProposalFactory, make_committee, make_member, make_role_user, walk_to
from xieshang.text import engine, services, store
from xieshang.text.models import TextSuggestion

from .history import LAST_YEAR_BODY, LAST_YEAR_TITLE, REPLY_TEXT, make_history

pytestmark = pytest.mark.django_db

EDU_TITLE = "关于推进课后服务和师资建设的提案"
EDU_BODY = "当前部分地区学校课后服务不足，教师负担重。建议有关部门完善课后服务机制，加强师资建设，落实义务教育减负。"


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    store.forget()
    yield
    store.forget()


@pytest.fixture
def history():
    return make_history()


@pytest.fixture
def trained(history):
    committee = history[0]
    store.train_committee(committee)
    return history


def _last_year_proposal(committee, units):
    """Last year's public proposal on lifts in old housing, closed, with its public reply."""
    p, actors = walk_to("closed", committee=committee, units=[units["society"]], title=LAST_YEAR_TITLE,
                        body=LAST_YEAR_BODY, category="society")
    p.replies.update(text=REPLY_TEXT, is_public=True)
    Proposal.objects.filter(pk=p.pk).update(is_public=True)
    return p, actors


# ---- training and the model store ------------------------------------------------------------------------

def test_train_command_writes_versioned_models_and_status(history, capsys):
    committee, units, finance, _staff = history
    call_command("text", "train", "--committee", committee.code)
    out = capsys.readouterr().out
    assert f"{committee.code} proposal: 40 rows, trained" in out
    assert "opinion: 0 rows, not enough history" in out
    folder = store.folder(committee)
    assert (folder / f"proposal.v{engine.FORMAT}.model").exists()
    assert not (folder / f"opinion.v{engine.FORMAT}.model").exists()
    status = json.loads((folder / "status.json").read_text())
    assert status["proposal"]["ok"] and status["proposal"]["units"] and status["proposal"]["rows"] == 40
    assert status["demand"]["ok"] is False and status["similar"]["items"] == 40
    result = services.suggest(committee, "proposal", EDU_TITLE, EDU_BODY)
    assert result["status"] == "ok"
    assert result["categories"][0]["code"] == "culture"
    assert result["categories"][0]["name"]  # the label, not only the code
    assert result["units"][0]["id"] == units["culture"].pk
    assert {u["id"] for u in result["units"]} <= {u.pk for u in units.values()} | {finance.pk}


def test_train_command_unknown_committee_says_so():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no committee"):
        call_command("text", "train", "--committee", "nosuch")


def test_nightly_job_is_declared_and_trains_every_committee(history):
    job = next(j for j in registry.jobs() if j.name == "text.train")
    assert job.path == "xieshang.text.store.train_all"
    assert job.every.days == 1
    assert "committees trained" in store.train_all()
    assert store.model(history[0], "proposal") is not None


def test_retrained_file_is_reloaded(trained):
    committee = trained[0]
    first = store.model(committee, "proposal")
    assert store.model(committee, "proposal") is first  # loaded once per process
    store.train_committee(committee)
    assert store.model(committee, "proposal") is not first


# ---- not enough history, a bad model file --------------------------------------------------------------

def test_not_enough_history_gives_no_suggestion_and_the_page_says_so(client):
    committee, _units, _finance, staff = make_history(per_topic=3)  # 12 decided proposals: too few
    store.train_committee(committee)
    p = ProposalFactory(committee=committee, state="submitted", title=EDU_TITLE, body=EDU_BODY)
    result = services.suggest(committee, "proposal", EDU_TITLE, EDU_BODY)
    assert result["categories"] == [] and result["units"] == []
    assert result["status"] == "not_enough_history"
    client.force_login(staff)
    page = client.get(reverse("text:review", args=["proposal", p.pk]), HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-status="not_enough_history"' in text and "12" in text


def test_corrupt_model_file_page_works_without_suggestions_and_logs(trained, client, caplog):
    committee, _units, _finance, staff = trained
    store.model_path(committee, "proposal").write_bytes(b"XIESHANG-TEXT-MODEL\n0001\nnot a pickle")
    p = ProposalFactory(committee=committee, state="submitted", title=EDU_TITLE, body=EDU_BODY)
    client.force_login(staff)
    with caplog.at_level(logging.WARNING, logger="xieshang.text.engine"):
        page = client.get(reverse("text:review", args=["proposal", p.pk]), HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    assert 'data-status="unavailable"' in page.content.decode()
    assert "unreadable" in caplog.text and "no suggestions until it is retrained" in caplog.text
    review = client.get(reverse("proposals:review"))
    assert review.status_code == 200 and EDU_TITLE in review.content.decode()


def test_missing_model_file_gives_no_suggestion(history):
    assert services.suggest(history[0], "proposal", EDU_TITLE, EDU_BODY)["status"] == "unavailable"


# ---- similar items: who sees what -----------------------------------------------------------------------

def test_drafting_panel_shows_last_years_proposal_and_reply(trained, client):
    committee, units, _finance, _staff = trained
    last, _actors = _last_year_proposal(committee, units)
    drafter = make_member(committee)
    client.force_login(drafter)
    page = client.post(reverse("text:similar"), {"title": "关于老旧小区加装电梯的提案",
                                                 "body": "老旧小区没有电梯，老人上下楼困难，建议简化加装电梯审批并给予补贴。"},
                       HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    text = page.content.decode()
    assert LAST_YEAR_TITLE in text and REPLY_TEXT[:20] in text
    assert 'data-testid="similar-passages"' in text
    assert "Server-Timing" in page.headers
    # the item being edited is left out
    again = client.post(reverse("text:similar"), {"title": LAST_YEAR_TITLE, "body": LAST_YEAR_BODY,
                                                  "exclude": f"proposal:{last.pk}"}).content.decode()
    assert f'data-id="{last.pk}"' not in again
    # the drafting form carries the panel (htmx, debounced; no page reload)
    form = client.get(reverse("proposals:create")).content.decode()
    assert 'hx-post="/text/similar/"' in form and "delay:800ms" in form


def test_panel_hides_what_the_user_may_not_see(trained, client):
    committee, units, _finance, staff = trained
    other = make_member(committee)
    hidden_draft = ProposalFactory(committee=committee, state="draft", title=LAST_YEAR_TITLE, body=LAST_YEAR_BODY,
                                   created_by=other, lead_proposer=other.memberships.get(committee=committee))
    not_public = ProposalFactory(committee=committee, state="submitted", title=LAST_YEAR_TITLE + "（二）",
                                 body=LAST_YEAR_BODY, created_by=other, lead_proposer=other.memberships.get(committee=committee))
    drafter = make_member(committee)
    client.force_login(drafter)
    text = client.post(reverse("text:similar"), {"title": LAST_YEAR_TITLE, "body": LAST_YEAR_BODY},
                       HTTP_HX_REQUEST="true").content.decode()
    assert LAST_YEAR_TITLE not in text  # neither the draft nor the submitted one is the member's to see
    assert f'data-id="{hidden_draft.pk}"' not in text and f'data-id="{not_public.pk}"' not in text
    # the office sees the submitted one (found although it was written after the index: caught up at query)
    items = services.similar(staff, committee, LAST_YEAR_TITLE, LAST_YEAR_BODY)
    ids = [(i["kind"], i["id"]) for i in items]
    assert ("proposal", not_public.pk) in ids and ("proposal", hidden_draft.pk) not in ids


def test_review_panel_offers_merge_and_suggestions(trained, client):
    committee, units, _finance, staff = trained
    earlier = ProposalFactory(committee=committee, state="registered", title=LAST_YEAR_TITLE, body=LAST_YEAR_BODY)
    new = ProposalFactory(committee=committee, state="submitted", title="关于老旧小区加装电梯的提案", body=LAST_YEAR_BODY)
    client.force_login(staff)
    text = client.get(reverse("text:review", args=["proposal", new.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert f'data-testid="merge-into-{earlier.pk}"' in text
    assert f'action="{reverse("proposals:act", args=[new.pk, "merge"])}"' in text
    assert 'data-testid="accept-category"' in text and 'data-text-fill="[name=register-category]"' in text
    page = client.post(reverse("proposals:act", args=[new.pk, "merge"]),
                       {"merge-into": str(earlier.pk), "version": new.version, "next": reverse("proposals:review")})
    assert page.status_code == 302
    new.refresh_from_db()
    assert new.state == "merged" and new.merged_into_id == earlier.pk
    # members have no review panel
    client.force_login(make_member(committee))
    assert client.get(reverse("text:review", args=["proposal", earlier.pk])).status_code == 404


def test_assign_page_accepts_the_suggested_units_with_one_click(trained, client):
    committee, units, finance, staff = trained
    p = ProposalFactory(committee=committee, state="registered", title=EDU_TITLE, body=EDU_BODY)
    client.force_login(staff)
    panel = client.get(reverse("text:review", args=["proposal", p.pk]) + "?part=units").content.decode()
    assert 'data-testid="accept-units"' in panel
    accept = panel.split('data-testid="accept-units"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert accept.startswith(reverse("proposals:assign", args=[p.pk]) + "?accept=")
    page = client.get(accept).content.decode()
    assert f'value="{units["culture"].pk}" selected' in page or f'<option value="{units["culture"].pk}" selected' in page


def test_registration_accepts_the_suggested_category_and_units_and_assigns_at_once(trained, client):
    """At registration (立案) the panel offers one click that fills the register form's category and units;
    registering with units assigns the proposal in the same step (立案并交办)."""
    committee, units, _finance, staff = trained
    p = ProposalFactory(committee=committee, state="submitted", title=EDU_TITLE, body=EDU_BODY)
    client.force_login(staff)
    panel = client.get(reverse("text:review", args=["proposal", p.pk])).content.decode()
    fills = json.loads(panel.split('data-testid="accept-all" data-text-fills="')[1].split('"')[0].replace("&quot;", '"'))
    assert fills[0] == ["[name=register-category]", "culture"]
    assert fills[1] == ["[name=register-lead_unit]", str(units["culture"].pk)]
    detail = client.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert 'name="register-lead_unit"' in detail and 'name="register-co_units"' in detail
    data = {"register-category": "culture", "register-lead_unit": fills[1][1], "version": p.version}
    for co in fills[2][1]:
        data.setdefault("register-co_units", []).append(co)
    assert client.post(reverse("proposals:act", args=[p.pk, "register"]), data).status_code == 302
    p.refresh_from_db()
    assert p.state == "assigned" and p.number and p.category == "culture"
    assert p.assignments.get(role__in=["sole", "lead"]).unit_id == units["culture"].pk
    from xieshang.core.models import Event

    recorded = list(Event.objects.for_object(p).order_by("id").values_list("action", flat=True))
    assert recorded[-2:] == ["proposal.register", "proposal.assign"], recorded
    assert TextSuggestion.objects.get(kind="proposal.units", object_id=p.pk).accepted


def test_registration_with_a_bad_unit_registers_nothing_and_keeps_what_was_typed(trained, client):
    committee, units, finance, staff = trained
    other = make_committee("other-text")
    from xieshang.core.models import HandlingUnit

    foreign = HandlingUnit.objects.create(committee=other, name="外委员会单位")
    p = ProposalFactory(committee=committee, state="submitted", title=EDU_TITLE, body=EDU_BODY)
    with pytest.raises(Exception) as raised:
        proposal_services.proposal_act(actor=staff, proposal=p, action="register",
                                       data={"category": "culture", "units": [{"unit": foreign.pk, "role": "sole"}]})
    assert getattr(raised.value, "field_errors", None)
    p.refresh_from_db()
    assert p.state == "submitted" and not p.number and not p.assignments.exists()
    client.force_login(staff)
    page = client.post(reverse("proposals:act", args=[p.pk, "register"]),
                       {"register-category": "culture", "register-co_units": [str(units["culture"].pk)],
                        "version": p.version})
    assert page.status_code == 200
    text = page.content.decode()
    assert "请选择主办单位。" in text
    assert f'<option value="{units["culture"].pk}" selected' in text  # what was chosen stays chosen
    p.refresh_from_db()
    assert p.state == "submitted"


def test_api_registers_and_assigns_in_one_call(trained):
    committee, units, _finance, staff = trained
    p = ProposalFactory(committee=committee, state="submitted", title=EDU_TITLE, body=EDU_BODY)
    api = ApiClient(issue_token(staff))
    answer = api.post(f"/api/v1/proposals/{p.pk}/actions/register",
                      {"category": "culture", "units": [{"unit": units["culture"].pk, "role": "lead"},
                                                        {"unit": units["society"].pk, "role": "co"}]})
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "assigned"
    bad = api.post(f"/api/v1/proposals/{ProposalFactory(committee=committee, state='submitted').pk}/actions/register",
                   {"units": [{"unit": units["culture"].pk, "role": "lead"}]})
    assert bad.status_code == 422 and "units" in bad.json()["fields"]


# ---- suggested against chosen: the acceptance rate -------------------------------------------------------

def test_decisions_are_recorded_and_the_rate_shown(trained, client):
    committee, units, _finance, staff = trained
    a = ProposalFactory(committee=committee, state="submitted", title=EDU_TITLE, body=EDU_BODY)
    b = ProposalFactory(committee=committee, state="submitted", title=EDU_TITLE + "（二）", body=EDU_BODY)
    proposal_services.proposal_act(actor=staff, proposal=a, action="register", data={"category": "culture"})
    proposal_services.proposal_act(actor=staff, proposal=b, action="register", data={"category": "economy"})
    rows = {r.object_id: r for r in TextSuggestion.objects.filter(kind="proposal.category")}
    assert rows[a.pk].accepted and rows[a.pk].chosen == ["culture"] and rows[a.pk].suggested[0]["value"] == "culture"
    assert not rows[b.pk].accepted and rows[b.pk].decided_by == staff
    a.refresh_from_db()
    proposal_services.proposal_act(actor=staff, proposal=a, action="assign",
                                   data={"units": [{"unit": units["culture"].pk, "role": "sole"}]})
    units_row = TextSuggestion.objects.get(kind="proposal.units", object_id=a.pk)
    assert units_row.accepted and units_row.chosen == [str(units["culture"].pk)]
    rate = {r["kind"]: r for r in services.acceptance(committee)}
    assert rate["proposal.category"] == {**rate["proposal.category"], "n": 2, "accepted": 1, "rate": 0.5}
    client.force_login(staff)
    page = client.get(reverse("text:acceptance"))
    assert page.status_code == 200
    assert 'data-testid="rate-proposal.category">50' in page.content.decode()
    client.force_login(make_member(committee))
    assert client.get(reverse("text:acceptance")).status_code == 404


def test_no_record_without_a_model(history):
    committee, _units, _finance, staff = history
    p = ProposalFactory(committee=committee, state="submitted", title=EDU_TITLE, body=EDU_BODY)
    proposal_services.proposal_act(actor=staff, proposal=p, action="register", data={"category": "culture"})
    assert not TextSuggestion.objects.exists()
    p.refresh_from_db()
    assert p.state == "registered"


# ---- the API --------------------------------------------------------------------------------------------

def _api(user):
    return ApiClient(issue_token(user))


def test_api_permissions(trained):
    committee, units, _finance, staff = trained
    member = make_member(committee)
    unit_user = make_role_user(committee, "unit", unit=units["culture"])
    body = {"title": EDU_TITLE, "body": EDU_BODY}
    assert ApiClient().post("text/similar", body).status_code == 401
    assert ApiClient().post("text/suggest", {"kind": "proposal", **body}).status_code == 401
    assert _api(member).post("text/similar", body).status_code == 200
    assert _api(member).post("text/suggest", {"kind": "proposal", **body}).status_code == 403
    assert _api(unit_user).post("text/similar", body).status_code == 403
    assert _api(unit_user).post("text/suggest", {"kind": "proposal", **body}).status_code == 403
    got = _api(staff).post("text/suggest", {"kind": "proposal", **body})
    assert got.status_code == 200
    data = got.json()
    assert data["categories"][0]["code"] == "culture" and data["units"][0] == {
        "id": units["culture"].pk, "name": units["culture"].name, "score": data["units"][0]["score"]}
    keeper = make_role_user(committee, "leader")
    assert _api(keeper).post("text/suggest", {"kind": "proposal", **body}).status_code == 403


def test_api_similar_answers_ranked_visible_items(trained):
    committee, units, _finance, _staff = trained
    last, _actors = _last_year_proposal(committee, units)
    member = make_member(committee)
    got = _api(member).post("text/similar", {"title": "老旧小区加装电梯", "body": LAST_YEAR_BODY, "kinds": ["proposal"]})
    assert got.status_code == 200
    items = got.json()
    assert items[0]["id"] == last.pk and items[0]["kind"] == "proposal" and items[0]["number"] == last.number
    assert items[0]["passages"] and items[0]["reply"].startswith(REPLY_TEXT[:10])
    assert {i["id"] for i in items} == {last.pk}  # the 40 closed proposals are not public: not the member's
    assert _api(member).post("text/similar", {"title": "x", "body": "", "kinds": ["opinion"]}).json() == []
    assert _api(member).post("text/similar", {"kinds": ["nosuch"]}).status_code == 422
    every = _api(member).post("text/similar", {"title": "老旧小区加装电梯", "body": LAST_YEAR_BODY, "kinds": []})
    assert every.status_code == 200 and every.json()[0]["id"] == last.pk  # no kind named: every kind


@pytest.mark.parametrize("title,body", [("", ""), ("电", ""), ("", " \n "), ("电\udcc2", "\ud800\x00"),
                                        ("关于" * 10, "电梯老旧小区。" * 15_000)])
def test_api_bad_text_gives_empty_lists_or_a_cut_answer(trained, title, body):
    staff = trained[3]
    got = _api(staff).post("text/suggest", {"kind": "proposal", "title": title, "body": body})
    assert got.status_code == 200
    data = got.json()
    if len(body) > 100_000 - 1:
        assert data["categories"]  # cut to the limit, not refused
    else:
        assert data["categories"] == [] and data["units"] == [] and data["status"] == "short"
    assert _api(staff).post("text/similar", {"title": title, "body": body}).status_code == 200


def test_units_outside_the_committee_are_never_shown(trained):
    committee, _units, _finance, _staff = trained
    other = make_committee()
    other_staff = make_role_user(other, "staff")
    folder = store.folder(other)
    folder.mkdir(parents=True)
    shutil.copy(store.model_path(committee, "proposal"), store.model_path(other, "proposal"))  # a model naming A's units
    data = _api(other_staff).post("text/suggest", {"kind": "proposal", "title": EDU_TITLE, "body": EDU_BODY}).json()
    assert data["categories"] and data["units"] == []


def test_demand_and_opinion_kinds_answer_with_their_status(trained):
    staff = trained[3]
    for kind in ("demand", "opinion"):
        data = _api(staff).post("text/suggest", {"kind": kind, "title": EDU_TITLE, "body": EDU_BODY}).json()
        assert data["categories"] == [] and data["status"] == "not_enough_history" and data["message"]


# ---- demands (keepers' routing) and opinion reports ----------------------------------------------------

ROAD = ["路灯", "道路", "井盖", "人行道", "红绿灯"]
WATER = ["自来水", "水压", "停水", "水管", "排水"]


def test_demand_routing_suggests_category_and_unit_and_records_the_choice(client):
    import random

    from xieshang.core.tests.factories import HandlingUnitFactory
    from xieshang.grassroots import services as grassroots_services
    from xieshang.grassroots.models import Demand
    from xieshang.grassroots.tests.factories import make_world, new_demand

    w = make_world()
    road, water = w.unit_row, HandlingUnitFactory(committee=w.committee, name="水务局")
    rng = random.Random(5)
    for i in range(30):
        words, unit, code = (ROAD, road, "society") if i % 2 else (WATER, water, "ecology")
        text = "".join(f"小区{rng.choice(words)}出了问题，{rng.choice(words)}需要维修。" for _ in range(4))
        d = new_demand(w, text=text, phone=f"1380013{i:04d}", category=code)
        Demand.objects.filter(pk=d.pk).update(state="answered", answered_by_unit=unit, unit=unit)
    assert store.train_committee(w.committee)["demand"]["ok"]
    demand = new_demand(w, text="我们小区的自来水水压太低，经常停水，水管也漏水。", phone="13900139000")
    client.force_login(w.keeper)
    page = client.get(reverse("grassroots:demand", args=[demand.pk])).content.decode()
    assert reverse("text:review", args=["demand", demand.pk]) in page
    panel = client.get(reverse("text:review", args=["demand", demand.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="suggested-units"' in panel and f'data-text-value="{water.pk}"' in panel
    grassroots_services.demand_act(actor=w.keeper, demand=demand, action="refer", data={"unit": water.pk})
    rows = {r.kind: r for r in TextSuggestion.objects.filter(object_id=demand.pk)}
    assert rows["demand.unit"].accepted and rows["demand.unit"].chosen == [str(water.pk)]
    assert "demand.category" in rows


def test_opinion_drafting_form_carries_the_panel(trained, client):
    client.force_login(make_member(trained[0]))
    page = client.get(reverse("opinions:create")).content.decode()
    assert 'data-testid="similar-panel"' in page and 'hx-post="/text/similar/"' in page


HOSTILE = '<script>alert(1)</script> "quoted" {{ x }} 关于加装电梯'


def test_hostile_text_comes_out_as_text(trained, client):
    committee, _units, _finance, staff = trained
    ProposalFactory(committee=committee, state="registered", title=HOSTILE, body=HOSTILE + LAST_YEAR_BODY)
    new = ProposalFactory(committee=committee, state="submitted", title=HOSTILE, body=HOSTILE + LAST_YEAR_BODY)
    client.force_login(staff)
    for page in (client.post(reverse("text:similar"), {"title": HOSTILE, "body": HOSTILE + LAST_YEAR_BODY}),
                 client.get(reverse("text:review", args=["proposal", new.pk]))):
        text = page.content.decode()
        assert page.status_code == 200
        assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "{{ x }}" in text
    got = _api(staff).post("text/similar", {"title": HOSTILE, "body": HOSTILE}).json()
    assert any(i["title"] == HOSTILE for i in got)
