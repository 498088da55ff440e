"""A proposal's whole life, driven only through the API, by the people who do each step."""

import pytest

from xieshang.proposals import deadlines

pytestmark = pytest.mark.django_db


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def actions_of(body):
    return {a["action"] for a in body["available_actions"]}


def test_the_whole_journey_through_the_api(people):
    p = people
    today = deadlines.today().isoformat()

    # The member drafts (idempotently: a repeated client_key gives back the same draft) and edits.
    draft = ok(p.api_proposer.post("proposals", {
        "title": "关于加快城乡供水一体化建设的提案", "body": "当前我州部分乡镇供水保障不足。", "category": "society",
        "client_key": "draft-1",
    }), 201)
    pid = draft["id"]
    assert draft["state"] == "draft" and draft["number"] is None and draft["version"] == 1
    assert ok(p.api_proposer.post("proposals", {"title": "again", "client_key": "draft-1"}), 201)["id"] == pid
    edited = ok(p.api_proposer.patch(f"proposals/{pid}", {"body": "当前我州部分乡镇供水保障不足，建议统筹推进。",
                                                          "expected_version": 1}))
    assert edited["body"].endswith("建议统筹推进。") and edited["version"] == 2
    assert {"submit", "invite_cosigners", "update", "withdraw"} <= actions_of(edited)

    # Invite a co-signer, submit: co-signing starts; the co-signer signs; the proposer ends co-signing.
    body = ok(p.api_proposer.act(pid, "invite_cosigners", {"members": [p.cosigner_member.pk]}))
    assert [c["member"]["id"] for c in body["cosigners"]] == [p.cosigner_member.pk]
    body = ok(p.api_proposer.act(pid, "submit", {"expected_version": body["version"]}))
    assert body["state"] == "cosigning" and body["cosign_deadline"]
    assert "cosign" in actions_of(ok(p.api_cosigner.get(f"proposals/{pid}")))
    body = ok(p.api_cosigner.act(pid, "cosign"))
    assert body["cosigners"][0]["state"] == "signed"
    assert [(x["role"], x["name"]) for x in body["proposers"]] == [("lead", "张委员"), ("cosigner", "赵委员")]
    assert body["state"] == "submitted"  # the last invited co-signer answered: co-signing ended by itself

    # The office registers (a number is given) and assigns to a lead unit and a co-handling unit.
    body = ok(p.api_staff.act(pid, "register", {"is_key": True}))
    assert body["state"] == "registered" and body["number"] == "13-4-0001" and body["is_key"] is True
    body = ok(p.api_staff.act(pid, "assign", {"units": [
        {"unit": p.lead_unit.pk, "role": "lead"}, {"unit": p.co_unit.pk, "role": "co"}]}))
    assert body["state"] == "assigned"
    by_unit = {a["unit"]["id"]: a for a in body["assignments"]}
    lead, co = by_unit[p.lead_unit.pk], by_unit[p.co_unit.pk]
    assert (lead["role"], co["role"]) == ("lead", "co")
    assert lead["state"] == "assigned" and lead["due_date"] and lead["days_left"] > 0 and lead["overdue"] is False
    assert body["days_left"] == lead["days_left"]

    # Both units acknowledge; the lead unit consults the proposer; the co unit sends its views.
    body = ok(p.api_lead.act(pid, "acknowledge"))
    assert body["state"] == "handling"
    body = ok(p.api_co.act(pid, "acknowledge"))
    assert {a["state"] for a in body["assignments"]} == {"handling"}
    body = ok(p.api_lead.act(pid, "consult", {"date": today, "form": "meeting", "summary": "与提案人面商，达成共识。"}))
    lead = next(a for a in body["assignments"] if a["id"] == lead["id"])
    assert lead["consultations"][0]["summary"] == "与提案人面商，达成共识。"
    body = ok(p.api_co.act(pid, "send_views", {"text": "财政局将统筹资金支持。"}))
    co = next(a for a in body["assignments"] if a["id"] == co["id"])
    assert co["state"] == "replied" and co["views"][0]["text"] == "财政局将统筹资金支持。"
    assert "reply" not in actions_of(body)  # co units do not reply to the proposer

    # The lead unit replies; the proposer is dissatisfied; the office has it handled again.
    body = ok(p.api_lead.act(pid, "reply", {"outcome": "planned", "text": "已列入明年计划。", "signed_by": "王局长"}))
    assert body["state"] == "replied"
    first_reply = body["replies"][0]
    assert first_reply["outcome"] == "planned" and first_reply["round"] == 1 and first_reply["evaluation"] is None
    assert first_reply["letter_docx_url"].endswith(f"/replies/{first_reply['id']}/letter.docx")
    assert "evaluate" in actions_of(ok(p.api_proposer.get(f"proposals/{pid}")))
    body = ok(p.api_proposer.act(pid, "evaluate", {"verdict": "dissatisfied", "comment": "进度太慢。"}))
    assert body["state"] == "replied"
    assert body["evaluations"][0]["verdict"] == "dissatisfied"
    assert body["replies"][0]["evaluation"]["verdict"] == "dissatisfied"
    assert "rehandle" in actions_of(ok(p.api_staff.get(f"proposals/{pid}")))
    body = ok(p.api_staff.act(pid, "rehandle", {"instructions": "请与提案人面商后重新答复。"}))
    assert body["state"] == "handling" and body["round"] == 2
    assert body["rehandlings"][0]["instructions"] == "请与提案人面商后重新答复。"

    # Second round: a new reply, the proposer is satisfied, the proposal is closed.
    body = ok(p.api_lead.act(pid, "reply", {"outcome": "adopted", "text": "已完成供水管网改造。"}))
    assert body["state"] == "replied"
    assert [(r["round"], r["outcome"]) for r in body["replies"]] == [(1, "planned"), (2, "adopted")]
    body = ok(p.api_proposer.act(pid, "evaluate", {"verdict": "satisfied"}))
    assert body["state"] == "closed" and body["closed_at"]
    assert [e["verdict"] for e in body["evaluations"]] == ["dissatisfied", "satisfied"]
    assert body["available_actions"] == []  # nothing left for the proposer

    # The timeline tells the same story, step by step, with who did what.
    events = ok(p.api_proposer.get(f"proposals/{pid}/events"))
    steps = [(e["action"], e["to_state"]) for e in events]
    assert steps == [
        ("proposal.create", "draft"),
        ("proposal.update", "draft"),
        ("proposal.invite_cosigners", "draft"),
        ("proposal.submit", "cosigning"),
        ("proposal.cosign", "submitted"),
        ("proposal.register", "registered"),
        ("proposal.assign", "assigned"),
        ("proposal.acknowledge", "handling"),
        ("proposal.acknowledge", "handling"),
        ("proposal.consult", "handling"),
        ("proposal.send_views", "handling"),
        ("proposal.reply", "replied"),
        ("proposal.evaluate", "replied"),
        ("proposal.rehandle", "handling"),
        ("proposal.reply", "replied"),
        ("proposal.evaluate", "closed"),
    ]
    actors = [e["actor"] for e in events]
    assert actors[4] == "赵委员" and actors[5] == "李干事" and actors[7] == "发改委联络员" and actors[10] == "财政局联络员"
    assert all(e["label"] for e in events)
    assert events[5]["payload"]["number"] == "13-4-0001"

    # The list shows it to the office with its units; the closed proposal is counted under its state.
    page = ok(p.api_staff.get("proposals", {"state": "closed"}))
    assert page["count"] == 1 and page["items"][0]["id"] == pid
    assert {u["name"] for u in page["items"][0]["units"]} == {"州发展和改革委员会", "州财政局"}
