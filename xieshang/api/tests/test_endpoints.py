"""Each endpoint: what it returns to whom."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from xieshang.core.models import Session
from xieshang.core.tests.factories import HandlingUnitFactory, OrganizationFactory, grant
from xieshang.proposals.models import Proposal
from xieshang.proposals.tests.factories import ProposalFactory, make_committee

from .conftest import make_proposal

pytestmark = pytest.mark.django_db


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


# --- /me and /units ------------------------------------------------------------------------------


def test_me_of_a_member(people):
    me = ok(people.api_proposer.get("me"))
    assert me["user"]["username"] == "member.zhang"
    assert me["full_name"] == "张委员"
    assert me["current_committee"] == {"id": people.committee.pk, "code": "changji", "name": "昌吉回族自治州政协"}
    assert me["roles"] == ["member"]
    assert me["unit"] is None
    assert me["member"]["name"] == "张委员"
    assert [c["code"] for c in me["committees"]] == ["changji"]
    assert me["committees"][0]["roles"] == ["member"]


def test_me_of_a_unit_user_names_the_unit(people):
    me = ok(people.api_lead.get("me"))
    assert me["roles"] == ["unit"]
    assert me["unit"]["id"] == people.lead_unit.pk and me["unit"]["name"] == "州发展和改革委员会"
    assert me["member"] is None
    assert [u["name"] for u in me["committees"][0]["units"]] == ["州发展和改革委员会"]


def test_me_with_several_committees_and_the_committee_header(people):
    county = make_committee(code="hutubi", name="呼图壁县政协")
    grant(people.staff, county, "admin")
    me = ok(people.api_staff.get("me"))
    assert {c["code"]: c["roles"] for c in me["committees"]} == {"changji": ["staff"], "hutubi": ["admin"]}
    chosen = ok(people.api_staff.get("me", headers={"X-Committee": "hutubi"}))
    assert chosen["current_committee"]["code"] == "hutubi" and chosen["roles"] == ["admin"]
    by_id = ok(people.api_staff.get("me", headers={"X-Committee": str(county.pk)}))
    assert by_id["current_committee"]["code"] == "hutubi"
    # A committee the caller does not work in does not exist for them.
    assert people.api_proposer.get("me", headers={"X-Committee": "hutubi"}).json()["code"] == "not_found"


def test_units_of_the_committee(people):
    HandlingUnitFactory(committee=people.committee, name="州已撤销局", is_active=False)
    elsewhere = make_committee(code="other")
    HandlingUnitFactory(committee=elsewhere, name="外州单位")
    units = ok(people.api_staff.get("units"))
    assert [u["name"] for u in units] == sorted(["州发展和改革委员会", "州财政局", "州教育局"])
    assert {"id", "name", "short_name", "kind"} == set(units[0])


# --- Create, edit, read --------------------------------------------------------------------------


def test_create_a_draft_with_defaults(people):
    body = ok(people.api_proposer.post("proposals", {"title": "关于发展特色农业的提案"}), 201)
    assert body["state"] == "draft" and body["state_label"] == "草稿"
    current = Session.objects.get(term__committee=people.committee, is_current=True)
    assert body["session"]["id"] == current.pk and body["session"]["year"] == 2026
    assert body["kind"] == "session" and body["category"] == "other" and body["proposer"] == "张委员"
    assert body["lead_proposer"]["name"] == "张委员"
    assert Proposal.objects.get(pk=body["id"]).created_by == people.proposer


def test_create_with_fields_and_labels_in_english(people):
    earlier = Session.objects.get(term__committee=people.committee, year=2025)
    body = ok(people.api_proposer.in_language("en").post("proposals", {
        "title": "On rural roads", "body": "Text", "session": earlier.pk, "kind": "interim", "category": "agriculture",
        "suggested_units": "州交通运输局", "contact_phone": "0994-1234567",
    }), 201)
    assert body["session"]["id"] == earlier.pk
    assert (body["kind"], body["category"], body["category_label"]) == ("interim", "agriculture",
                                                                         "agriculture and rural areas")
    assert body["suggested_units"] == "州交通运输局" and body["contact_phone"] == "0994-1234567"


def test_create_for_an_organisation(people):
    org = OrganizationFactory(committee=people.committee, name="民盟昌吉州委")
    body = ok(people.api_staff.post("proposals", {"title": "关于职业教育的提案", "proposer_kind": "organization",
                                                  "organization": org.pk}), 201)
    assert body["proposer_kind"] == "organization" and body["organization"] == "民盟昌吉州委"


def test_create_refuses_rows_of_another_committee(people):
    elsewhere = make_committee(code="other")
    foreign = Session.objects.filter(term__committee=elsewhere).first()
    r = people.api_proposer.post("proposals", {"title": "x", "session": foreign.pk})
    assert r.status_code == 422
    assert r.json()["code"] == "invalid" and list(r.json()["fields"]) == ["session"]


def test_only_members_create_member_proposals(people):
    r = people.api_lead.post("proposals", {"title": "单位不能提出提案"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_patch_edits_a_draft_and_refuses_after_submission(people):
    proposal = make_proposal(people, "draft")
    body = ok(people.api_proposer.patch(f"proposals/{proposal.pk}", {"title": "修改后的标题", "category": "ecology"}))
    assert (body["title"], body["category"]) == ("修改后的标题", "ecology")
    assert body["version"] == proposal.version + 1
    people.api_proposer.act(proposal.pk, "submit")
    r = people.api_proposer.patch(f"proposals/{proposal.pk}", {"title": "再改"})
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    r = people.api_proposer.patch(f"proposals/{proposal.pk}", {"category": "weather"})
    # the category is checked against the committee's own list by the service, after the state (409 first);
    # an unknown one on a draft is 422 (api/tests/test_categories_api.py)
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"


def test_detail_of_a_proposal_being_handled(people):
    proposal = make_proposal(people, "handling", cosign=True)
    body = ok(people.api_staff.get(f"proposals/{proposal.pk}"))
    assert body["state"] == "handling" and body["number"].startswith("13-4-")
    assert [(x["role"], x["state"]) for x in body["proposers"]] == [("lead", None), ("cosigner", "signed")]
    assignments = {a["unit"]["name"]: a for a in body["assignments"]}
    lead = assignments["州发展和改革委员会"]
    assert lead["role"] == "lead" and lead["state"] == "handling" and lead["role_label"] == "主办"
    assert isinstance(lead["days_left"], int) and lead["days_left"] > 0 and lead["overdue"] is False
    assert body["overdue"] is False and body["days_left"] == lead["days_left"]
    assert body["documents"]["proposal_docx"] == f"/api/v1/proposals/{proposal.pk}/documents/proposal.docx"
    assert {"urge", "mark_key", "set_public"} <= {a["action"] for a in body["available_actions"]}
    assert "reply" not in {a["action"] for a in body["available_actions"]}
    # The lead unit may reply; the co unit may only send views; the proposer may do nothing now.
    lead_actions = {a["action"] for a in ok(people.api_lead.get(f"proposals/{proposal.pk}"))["available_actions"]}
    co_actions = {a["action"] for a in ok(people.api_co.get(f"proposals/{proposal.pk}"))["available_actions"]}
    assert "reply" in lead_actions and "send_views" not in lead_actions
    assert "send_views" in co_actions and "reply" not in co_actions
    assert ok(people.api_proposer.get(f"proposals/{proposal.pk}"))["available_actions"] == []


def test_overdue_assignment_is_flagged(people):
    proposal = make_proposal(people, "handling")
    proposal.assignments.update(due_date="2020-01-06")
    body = ok(people.api_staff.get(f"proposals/{proposal.pk}"))
    assert body["overdue"] is True and body["days_left"] < 0
    assert all(a["overdue"] for a in body["assignments"] if a["role"] == "lead")
    assert ok(people.api_staff.get("proposals", {"overdue": True}))["count"] == 1


def test_events_of_a_proposal(people):
    proposal = make_proposal(people, "registered")
    events = ok(people.api_proposer.in_language("en").get(f"proposals/{proposal.pk}/events"))
    assert [e["action"] for e in events] == ["proposal.create", "proposal.submit", "proposal.register"]
    assert [e["label"] for e in events] == ["created", "submit", "register"]
    assert events[-1]["actor"] == "李干事" and events[-1]["from_state"] == "submitted"
    zh = ok(people.api_proposer.get(f"proposals/{proposal.pk}/events"))
    assert zh[-1]["label"] == "立案"


# --- The list ------------------------------------------------------------------------------------


def test_list_filters_sorts_and_paginates(people):
    first = make_proposal(people, "registered", title="关于水资源保护的提案", category="ecology")
    second = make_proposal(people, "submitted", title="关于乡村振兴的提案", category="agriculture")
    make_proposal(people, "draft", title="草稿不给工作人员看")
    for _ in range(3):
        ProposalFactory(committee=people.committee, state="submitted")
    api = people.api_staff
    everything = ok(api.get("proposals"))
    assert everything["count"] == 5 and len(everything["items"]) == 5
    assert ok(api.get("proposals", {"state": "registered"}))["items"][0]["id"] == first.pk
    assert [i["id"] for i in ok(api.get("proposals", {"category": "agriculture"}))["items"]] == [second.pk]
    assert [i["id"] for i in ok(api.get("proposals", {"q": "水资源"}))["items"]] == [first.pk]
    assert [i["id"] for i in ok(api.get("proposals", {"q": first.number}))["items"]] == [first.pk]
    assert ok(api.get("proposals", {"year": 2026}))["count"] == 5
    assert ok(api.get("proposals", {"year": 2025}))["count"] == 0
    page = ok(api.get("proposals", {"page": 2, "page_size": 2, "sort": "title"}))
    assert page["count"] == 5 and page["page"] == 2 and len(page["items"]) == 2
    titles = [i["title"] for i in ok(api.get("proposals", {"sort": "title", "page_size": 200}))["items"]]
    assert titles == sorted(titles)
    assert ok(api.get("proposals", {"page": 9}))["items"] == []
    item = everything["items"][0]
    assert item["url"] == f"/api/v1/proposals/{item['id']}"


def test_list_by_unit_sector_and_key(people):
    handled = make_proposal(people, "assigned")
    make_proposal(people, "registered")
    api = people.api_staff
    assert [i["id"] for i in ok(api.get("proposals", {"unit": people.co_unit.pk}))["items"]] == [handled.pk]
    sector = people.proposer.memberships.get().sector.name
    assert ok(api.get("proposals", {"sector": sector}))["count"] == 2
    assert ok(api.get("proposals", {"sector": "无此界别"}))["count"] == 0
    api.act(handled.pk, "mark_key", {"is_key": True})
    assert [i["id"] for i in ok(api.get("proposals", {"key": True}))["items"]] == [handled.pk]


def test_list_shows_members_only_their_own(people):
    mine = make_proposal(people, "submitted")
    ProposalFactory(committee=people.committee, state="submitted")
    assert [i["id"] for i in ok(people.api_proposer.get("proposals"))["items"]] == [mine.pk]
    assert ok(people.api_outsider.get("proposals"))["count"] == 0


def test_list_items_carry_their_live_units_and_the_earliest_open_due_date(people):
    import datetime

    from django.utils import timezone

    from xieshang.proposals.models import Assignment, AssignmentState

    handled = make_proposal(people, "assigned")
    make_proposal(people, "registered")
    live = list(handled.assignments.exclude(state=AssignmentState.CANCELLED).order_by("role", "id"))
    assert len(live) >= 2
    # one unit replied (not open any more) with the earliest date, one cancelled: neither sets next_due
    Assignment.objects.filter(pk=live[0].pk).update(state=AssignmentState.REPLIED, due_date=datetime.date(2026, 1, 5))
    Assignment.objects.filter(pk=live[1].pk).update(due_date=datetime.date(2026, 3, 2))
    cancelled = HandlingUnitFactory(committee=people.committee, name="已撤销单位")
    day = datetime.date(2026, 1, 1)
    Assignment.objects.create(proposal=handled, unit=cancelled, role=live[1].role, state=AssignmentState.CANCELLED,
                              due_date=day, original_due_date=day, objection_due=day, assigned_at=timezone.now())
    items = {i["id"]: i for i in ok(people.api_staff.get("proposals"))["items"]}
    open_dues = handled.assignments.filter(state__in=("assigned", "handling")).values_list("due_date", flat=True)
    assert datetime.date(2026, 3, 2) in open_dues
    assert items[handled.pk]["next_due"] == min(open_dues).isoformat()
    assert [(u["id"], u["role"]) for u in items[handled.pk]["units"]] == [(a.unit_id, a.role) for a in live]
    assert items[handled.pk]["units"][0]["state"] == "replied"
    assert "已撤销单位" not in str(items[handled.pk]["units"])
    assert [i for i in items.values() if i["id"] != handled.pk][0]["units"] == []
    assert [i for i in items.values() if i["id"] != handled.pk][0]["next_due"] is None


def test_list_makes_a_fixed_number_of_queries(people, django_assert_max_num_queries):
    for _ in range(3):
        make_proposal(people, "assigned")
    with django_assert_max_num_queries(12) as few:
        ok(people.api_staff.get("proposals"))
    for _ in range(5):
        make_proposal(people, "assigned")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert ok(people.api_staff.get("proposals"))["count"] == 8


# --- Files ----------------------------------------------------------------------------------------


def test_reply_with_a_letter_as_multipart_and_download_it(people):
    proposal = make_proposal(people, "handling")
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
    r = people.api_lead.post_multipart(f"proposals/{proposal.pk}/actions/reply", {
        "outcome": "adopted", "text": "已采纳。", "signed_by": "王局长", "letter": letter,
        "expected_version": str(proposal.version),
    })
    body = ok(r)
    assert body["state"] == "replied"
    reply = body["replies"][0]
    assert reply["letter_url"] == f"/api/v1/proposals/{proposal.pk}/replies/{reply['id']}/letter"
    download = people.api_proposer.get(reply["letter_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 letter"
    assert people.api_other.get(reply["letter_url"]).status_code == 404


def test_a_letter_of_the_wrong_kind_is_422(people):
    proposal = make_proposal(people, "handling")
    r = people.api_lead.post_multipart(f"proposals/{proposal.pk}/actions/reply", {
        "outcome": "adopted", "text": "已采纳。", "letter": SimpleUploadedFile("letter.exe", b"MZ"),
    })
    assert r.status_code == 422
    assert r.json()["code"] == "invalid" and list(r.json()["fields"]) == ["letter"]


def test_proposal_docx_download(people):
    proposal = make_proposal(people, "registered")
    r = people.api_proposer.get(f"proposals/{proposal.pk}/documents/proposal.docx")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert r["Content-Disposition"].startswith("attachment;")
    assert r.content[:2] == b"PK"


def test_reply_letter_docx_download(people):
    proposal = make_proposal(people, "replied")
    reply = proposal.replies.get()
    url = f"proposals/{proposal.pk}/replies/{reply.pk}/letter.docx"
    r = people.api_proposer.get(url)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert people.api_proposer.get(f"proposals/{proposal.pk}/replies/{reply.pk + 99}/letter.docx").status_code == 404
    assert people.api_other.get(url).status_code == 404
    # No file was uploaded with this reply, so there is no uploaded letter to fetch.
    assert people.api_proposer.get(f"proposals/{proposal.pk}/replies/{reply.pk}/letter").status_code == 404


def test_export_xlsx_with_the_lists_filters_and_permissions(people):
    make_proposal(people, "registered", title="关于水资源保护的提案")
    make_proposal(people, "assigned", title="关于乡村振兴的提案")
    make_proposal(people, "draft", title="草稿不导出")
    r = people.api_staff.get("proposals/export.xlsx")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = list(load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.values)[1:]  # under the title row
    assert len(rows) == 3  # header + the two proposals the office sees
    english = people.api_staff.in_language("en").get("proposals/export.xlsx")
    header = list(load_workbook(io.BytesIO(b"".join(english.streaming_content))).active.values)[1]
    assert header[:3] == ("Number", "Subject", "Proposer") and header[7] == "Handling units"
    assert {row[1] for row in rows[1:]} == {"关于水资源保护的提案", "关于乡村振兴的提案"}
    assigned = next(row for row in rows if row[1] == "关于乡村振兴的提案")
    assert "州发展和改革委员会" in assigned[7]
    filtered = people.api_staff.get("proposals/export.xlsx", {"state": "assigned"})
    rows = list(load_workbook(io.BytesIO(b"".join(filtered.streaming_content))).active.values)[1:]
    assert [row[1] for row in rows[1:]] == ["关于乡村振兴的提案"]
    # A unit user exports only what the unit sees.
    rows = list(load_workbook(io.BytesIO(b"".join(people.api_other.get("proposals/export.xlsx").streaming_content))).active.values)
    assert len(rows) == 2  # the title row and the header
