"""The office's screens: list and filters, review queue, assignment (single and batch), re-assignment,
extensions, urging, flags, closing — and the leader's supervised proposals."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from xieshang.core.models import Notification
from xieshang.proposals import services
from xieshang.proposals.models import (
    Assignment,
    AssignmentState,
    ExtensionRequest,
    ProposalState,
    Supervision,
)
from xieshang.proposals.tests.factories import make_actors, make_unit, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors(committee):
    return make_actors(committee, units=2)


@pytest.fixture
def staff_client(client, actors):
    client.force_login(actors.staff)
    return client


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_list_renders_filters_and_survives_bad_parameters(staff_client, actors):
    a, _ = walk_to("submitted", actors=actors, title="关于发展庭院经济的提案")
    b, _ = walk_to("registered", actors=actors, title="关于改善农村道路的提案")
    url = reverse("proposals:list")
    html = staff_client.get(url).content.decode()
    assert a.title in html and b.title in html
    html = staff_client.get(url, {"state": "registered"}).content.decode()
    assert b.title in html and a.title not in html
    html = staff_client.get(url, {"q": "庭院"}).content.decode()
    assert a.title in html and b.title not in html
    for params in ({"page": "abc"}, {"page": "999"}, {"page_size": "7"}, {"session": "x"}, {"unit": "99999999"},
                   {"state": "nonsense"}, {"sort": "evil"}, {"q": "x" * 500}, {"page_size": "10", "sort": "-number"}):
        assert staff_client.get(url, params).status_code == 200, params


def test_list_sorting_and_page_size(staff_client, actors):
    for i in range(3):
        walk_to("registered", actors=actors, cosign=False, title=f"排序提案{i}")
    html = staff_client.get(reverse("proposals:list"), {"sort": "number", "page_size": "10"}).content.decode()
    assert html.index("13-4-0001") < html.index("13-4-0002") < html.index("13-4-0003")
    html = staff_client.get(reverse("proposals:list"), {"sort": "-number"}).content.decode()
    assert html.index("13-4-0003") < html.index("13-4-0001")


def test_review_queue_register_with_next(staff_client, actors):
    p, _ = walk_to("submitted", actors=actors)
    review = reverse("proposals:review")
    html = staff_client.get(review).content.decode()
    for action in ("register", "return_for_revision", "merge", "convert", "reject"):
        # each action's box is on the page; its form comes when the box is opened (htmx)
        assert f'data-testid="open-{action}"' in html, action
        form_url = reverse("proposals:act_form", args=[p.pk, action])
        assert form_url in html, action
        form = staff_client.get(form_url, {"next": review}).content.decode()
        assert f'data-testid="action-{action}"' in form and f'name="next" value="{review}"' in form, action
    response = staff_client.post(
        reverse("proposals:act", args=[p.pk, "register"]),
        {"next": review, "version": p.version, "register-category": "economy", "register-is_key": "on"},
    )
    assert response.status_code == 302 and response["Location"] == review
    p.refresh_from_db()
    assert p.state == ProposalState.REGISTERED and p.number == "13-4-0001" and p.is_key and p.category == "economy"


def test_review_queue_merges_by_typed_number(staff_client, actors):
    """The review queue's merge form is one text field for the target's number (or id), not a list of
    every possible target in each row; what is typed is checked when sent and kept on an error."""
    target, _ = walk_to("registered", actors=actors, cosign=False, title="主提案")
    p, _ = walk_to("submitted", actors=actors, cosign=False, title="被并的提案")
    q, _ = walk_to("submitted", actors=actors, cosign=False, title="另一件提案")
    review = reverse("proposals:review")
    html = staff_client.get(reverse("proposals:act_form", args=[p.pk, "merge"]), {"next": review}).content.decode()
    assert f'<option value="{target.pk}">' not in html and "<select name=\"merge-into\"" not in html
    assert f'id="id_{p.pk}_merge-into"' in html and 'name="merge-into" ' in html and "13-3-0042" in html  # the example

    act = reverse("proposals:act", args=[p.pk, "merge"])
    bad = staff_client.post(act, {"next": review, "merge-into": "13-4-9999"})
    assert bad.status_code == 200
    page = bad.content.decode()
    assert 'class="field has-error"' in page and 'value="13-4-9999"' in page  # kept as typed
    p.refresh_from_db()
    assert p.state == ProposalState.SUBMITTED

    ok = staff_client.post(act, {"next": review, "merge-into": f" {target.number} ", "merge-reason": "同一问题"})
    assert ok.status_code == 302 and ok["Location"] == review
    p.refresh_from_db()
    assert p.state == ProposalState.MERGED and p.merged_into_id == target.pk

    # by id as well; a submitted target of the same session is fine, the proposal itself is not
    itself = staff_client.post(reverse("proposals:act", args=[q.pk, "merge"]), {"merge-into": str(q.pk)})
    assert itself.status_code == 200 and 'class="field has-error"' in itself.content.decode()
    by_id = staff_client.post(reverse("proposals:act", args=[q.pk, "merge"]), {"merge-into": str(target.pk)})
    assert by_id.status_code == 302
    q.refresh_from_db()
    assert q.merged_into_id == target.pk


def test_a_stale_page_cannot_register_twice(staff_client, actors):
    p, _ = walk_to("submitted", actors=actors)
    url = reverse("proposals:act", args=[p.pk, "register"])
    assert staff_client.post(url, {"version": p.version}).status_code == 302
    response = staff_client.post(url, {"version": p.version})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    p.refresh_from_db()
    assert p.number == "13-4-0001"


def test_return_for_revision_needs_a_reason_and_keeps_the_form_open(staff_client, actors):
    p, _ = walk_to("submitted", actors=actors)
    url = reverse("proposals:act", args=[p.pk, "return_for_revision"])
    response = staff_client.post(url, {"return_for_revision-reason": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<details class="action-box" open>' in html and 'class="field has-error"' in html
    response = staff_client.post(url, {"return_for_revision-reason": "请补充调研数据"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.state == ProposalState.RETURNED and p.state_note == "请补充调研数据"


def test_merge_convert_reject(staff_client, actors):
    target, _ = walk_to("registered", actors=actors, cosign=False, title="主提案")
    p, _ = walk_to("submitted", actors=actors, cosign=False, title="被并的提案")
    html = staff_client.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert f'<option value="{target.pk}">' in html
    bad = staff_client.post(reverse("proposals:act", args=[p.pk, "merge"]), {"merge-into": "999999"})
    assert bad.status_code == 200 and 'class="field has-error"' in bad.content.decode()
    ok = staff_client.post(reverse("proposals:act", args=[p.pk, "merge"]), {"merge-into": str(target.pk), "merge-reason": "同一问题"})
    assert ok.status_code == 302
    p.refresh_from_db()
    assert p.state == ProposalState.MERGED and p.merged_into_id == target.pk

    q, _ = walk_to("submitted", actors=actors, cosign=False)
    staff_client.post(reverse("proposals:act", args=[q.pk, "convert"]), {"convert-to": "opinion_report"})
    q.refresh_from_db()
    assert q.state == ProposalState.CONVERTED and q.converted_to == "opinion_report"

    r, _ = walk_to("submitted", actors=actors, cosign=False)
    staff_client.post(reverse("proposals:act", args=[r.pk, "reject"]), {"reject-reason_code": "personal", "reject-reason": "个人事项"})
    r.refresh_from_db()
    assert r.state == ProposalState.REJECTED and r.reject_reason == "personal"


def test_assign_form_keeps_input_on_errors_then_assigns_lead_and_co(staff_client, actors):
    p, _ = walk_to("registered", actors=actors)
    lead, co = actors.units
    url = reverse("proposals:assign", args=[p.pk])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, {"mode": "lead_co", "lead_unit": lead.pk, "version": p.version})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{lead.pk}" selected>' in html and 'class="field has-error"' in html
    response = staff_client.post(url, {"mode": "lead_co", "lead_unit": lead.pk, "co_units": [lead.pk], "version": p.version})
    assert response.status_code == 200
    response = staff_client.post(url, {"mode": "lead_co", "lead_unit": lead.pk, "co_units": [co.pk], "version": p.version})
    assert response.status_code == 302
    roles = dict(Assignment.objects.filter(proposal=p).values_list("unit_id", "role"))
    assert roles == {lead.pk: "lead", co.pk: "co"}


def test_assign_page_of_an_assigned_proposal_goes_back(staff_client, actors):
    p, _ = walk_to("assigned", actors=actors)
    response = staff_client.get(reverse("proposals:assign", args=[p.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("proposals:detail", args=[p.pk])


def test_assign_sole_and_split_and_bad_values(staff_client, actors):
    p, _ = walk_to("registered", actors=actors, cosign=False)
    url = reverse("proposals:assign", args=[p.pk])
    assert staff_client.post(url, {"mode": "split", "split_units": [actors.units[0].pk]}).status_code == 200
    assert staff_client.post(url, {"mode": "weird", "sole_unit": "abc"}).status_code == 200
    assert staff_client.post(url, {"mode": "split", "split_units": [u.pk for u in actors.units]}).status_code == 302
    assert set(Assignment.objects.filter(proposal=p).values_list("role", flat=True)) == {"split"}


def test_batch_assignment_meeting(staff_client, actors):
    p1, _ = walk_to("registered", actors=actors, cosign=False, title="交办一")
    p2, _ = walk_to("registered", actors=actors, cosign=False, title="交办二")
    p3, _ = walk_to("registered", actors=actors, cosign=False, title="暂不交办")
    url = reverse("proposals:assign_batch")
    html = staff_client.get(url).content.decode()
    assert all(t in html for t in ("交办一", "交办二", "暂不交办"))
    u1, u2 = actors.units
    nothing = staff_client.post(url, {"ids": [p1.pk, p2.pk, p3.pk]})
    assert nothing.status_code == 200 and 'role="alert"' in nothing.content.decode()
    missing_unit = staff_client.post(url, {"ids": [p1.pk, p2.pk], f"pick_{p1.pk}": "on"})
    assert missing_unit.status_code == 200 and 'role="alert"' in missing_unit.content.decode()
    response = staff_client.post(url, {
        "ids": [p1.pk, p2.pk, p3.pk],
        f"pick_{p1.pk}": "on", f"unit_{p1.pk}": u1.pk,
        f"pick_{p2.pk}": "on", f"unit_{p2.pk}": u1.pk, f"others_{p2.pk}": [u2.pk],
        f"unit_{p3.pk}": u2.pk,  # not ticked: stays registered
    })
    assert response.status_code == 302
    for p in (p1, p2, p3):
        p.refresh_from_db()
    assert (p1.state, p2.state, p3.state) == ("assigned", "assigned", "registered")
    assert dict(Assignment.objects.filter(proposal=p2).values_list("unit_id", "role")) == {u1.pk: "lead", u2.pk: "co"}
    assert Assignment.objects.get(proposal=p1).role == "sole"


def test_batch_reports_a_row_that_failed_and_keeps_it(staff_client, actors):
    p1, _ = walk_to("registered", actors=actors, cosign=False, title="正常交办")
    p2, _ = walk_to("registered", actors=actors, cosign=False, title="已被别人交办")
    url = reverse("proposals:assign_batch")
    staff_client.get(url)
    # someone else assigns p2 while this page is open
    services.proposal_act(actor=actors.staff, proposal=p2, action="assign",
                          data={"units": [{"unit": actors.units[1].pk, "role": "sole"}]})
    response = staff_client.post(url, {
        "ids": [p1.pk, p2.pk],
        f"pick_{p1.pk}": "on", f"unit_{p1.pk}": actors.units[0].pk,
        f"pick_{p2.pk}": "on", f"unit_{p2.pk}": actors.units[0].pk,
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-proposal="%d"' % p2.pk in html and 'data-proposal="%d"' % p1.pk not in html
    assert 'role="alert"' in html
    p1.refresh_from_db()
    assert p1.state == "assigned"
    assert Assignment.objects.get(proposal=p2).unit == actors.units[1]


def test_reassign_after_objection(staff_client, actors, committee):
    p, _ = walk_to("assigned", actors=actors)
    client = client_for(actors.unit_users[0])
    client.post(reverse("proposals:act", args=[p.pk, "object"]), {"object-reason": "不属于本单位职责"})
    objected = Assignment.objects.get(proposal=p, unit=actors.units[0])
    assert objected.state == AssignmentState.OBJECTED
    new_unit, _ = make_unit(committee, name="州交通运输局")
    html = staff_client.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert 'data-testid="action-reassign"' in html and "不属于本单位职责" in html
    response = staff_client.post(reverse("proposals:act", args=[p.pk, "reassign"]),
                                 {"reassign-assignment": objected.pk, "reassign-unit": new_unit.pk})
    assert response.status_code == 302
    assert Assignment.objects.get(proposal=p, unit=new_unit).role == "lead"


def test_extension_requests_page_approve(staff_client, actors):
    p, _ = walk_to("handling", actors=actors)
    lead = Assignment.objects.get(proposal=p, unit=actors.units[0])
    client = client_for(actors.unit_users[0])
    until = lead.due_date + datetime.timedelta(days=30)
    bad = client.post(reverse("proposals:act", args=[p.pk, "request_extension"]),
                      {"request_extension-until": "not a date", "request_extension-reason": "需要调研"})
    assert bad.status_code == 200 and "需要调研" in bad.content.decode()
    client.post(reverse("proposals:act", args=[p.pk, "request_extension"]),
                {"request_extension-until": until.isoformat(), "request_extension-reason": "需要调研"})
    request = ExtensionRequest.objects.get(assignment=lead)
    page = staff_client.get(reverse("proposals:extensions")).content.decode()
    assert "需要调研" in page
    response = staff_client.post(reverse("proposals:act", args=[p.pk, "approve_extension"]),
                                 {"approve_extension-request": request.pk, "next": reverse("proposals:extensions")})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.due_date == until


def test_overdue_board_and_urging(staff_client, actors):
    p, _ = walk_to("handling", actors=actors)
    Assignment.objects.filter(proposal=p).update(due_date=datetime.date(2020, 3, 2))
    url = reverse("proposals:overdue")
    html = staff_client.get(url).content.decode()
    assert p.title in html and 'class="due overdue"' in html
    a = Assignment.objects.filter(proposal=p).first()
    before = Notification.objects.filter(kind="proposal.urged").count()
    response = staff_client.post(reverse("proposals:act", args=[p.pk, "urge"]), {"urge-assignment": a.pk, "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert Notification.objects.filter(kind="proposal.urged").count() > before


def test_flags_key_excellent_public(staff_client, actors):
    p, _ = walk_to("closed", actors=actors)
    detail = reverse("proposals:detail", args=[p.pk])
    staff_client.post(reverse("proposals:act", args=[p.pk, "mark_key"]),
                      {"mark_key-is_key": "on", "mark_key-leader": actors.leader.pk})
    staff_client.post(reverse("proposals:act", args=[p.pk, "mark_excellent"]), {"mark_excellent-value": "True"})
    staff_client.post(reverse("proposals:act", args=[p.pk, "set_public"]), {"set_public-value": "True"})
    p.refresh_from_db()
    assert p.is_key and p.supervising_leader == actors.leader and p.is_excellent and p.is_public
    html = staff_client.get(detail).content.decode()
    assert 'data-testid="flag-key"' in html and 'data-testid="flag-excellent"' in html
    # the toggle now offers the opposite
    assert 'name="set_public-value" value="False"' in html
    staff_client.post(reverse("proposals:act", args=[p.pk, "set_public"]), {"set_public-value": "False"})
    p.refresh_from_db()
    assert not p.is_public
    staff_client.post(reverse("proposals:act", args=[p.pk, "archive"]), {"version": p.version})
    p.refresh_from_db()
    assert p.state == ProposalState.ARCHIVED


def test_rehandle_and_close_after_dissatisfaction(staff_client, actors):
    p, _ = walk_to("replied", actors=actors)
    client = client_for(actors.proposer)
    client.post(reverse("proposals:act", args=[p.pk, "evaluate"]),
                {"evaluate-verdict": "dissatisfied", "evaluate-comment": "未解决", "evaluate-confirmed": "1"})
    html = staff_client.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert 'data-testid="action-rehandle"' in html
    staff_client.post(reverse("proposals:act", args=[p.pk, "rehandle"]),
                      {"version": p.version + 1, "rehandle-instructions": "请当面沟通后重新答复"})
    p.refresh_from_db()
    assert p.state == ProposalState.HANDLING and p.round == 2


def test_staff_pages_are_404_for_members_and_units(client, actors):
    for user in (actors.proposer, actors.unit_users[0]):
        client.force_login(user)
        for name in ("proposals:review", "proposals:assign_batch", "proposals:overdue", "proposals:extensions",
                     "proposals:supervised"):
            assert client.get(reverse(name)).status_code == 404, (user, name)


def test_staff_cannot_open_a_members_draft(staff_client, actors):
    draft, _ = walk_to("draft", actors=actors)
    assert staff_client.get(reverse("proposals:detail", args=[draft.pk])).status_code == 404


def test_member_posting_a_staff_action_is_refused(client, actors):
    p, _ = walk_to("submitted", actors=actors)
    client.force_login(actors.proposer)
    response = client.post(reverse("proposals:act", args=[p.pk, "register"]), {})
    assert response.status_code == 403
    p.refresh_from_db()
    assert p.state == ProposalState.SUBMITTED


def test_leader_supervised_page_and_instruction(client, actors):
    p, _ = walk_to("handling", actors=actors)
    staff = actors.staff
    from xieshang.proposals import services

    services.proposal_act(actor=staff, proposal=p, action="mark_key", data={"is_key": True, "leader": actors.leader.pk})
    client.force_login(actors.leader)
    url = reverse("proposals:supervised")
    html = client.get(url).content.decode()
    assert p.title in html
    empty = client.post(reverse("proposals:act", args=[p.pk, "supervise"]), {"supervise-text": "", "next": url})
    assert empty.status_code == 200
    response = client.post(reverse("proposals:act", args=[p.pk, "supervise"]), {"supervise-text": "请加快办理", "next": url})
    assert response.status_code == 302
    assert Supervision.objects.get(proposal=p).text == "请加快办理"
    assert "请加快办理" in client.get(reverse("proposals:detail", args=[p.pk])).content.decode()


def test_print_page(staff_client, actors):
    p, _ = walk_to("replied", actors=actors)
    html = staff_client.get(reverse("proposals:print", args=[p.pk])).content.decode()
    assert 'data-print' in html and p.title in html and "经研究，已采纳并落实。" in html
    detail = staff_client.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert f"/api/v1/proposals/{p.pk}/documents/proposal.docx" in detail
    reply = p.replies.get()
    assert f"/api/v1/proposals/{p.pk}/replies/{reply.pk}/letter.docx" in detail


def test_review_form_fragment_is_404_when_the_action_is_not_open(staff_client, actors, make_user, committee):
    """The form of an action that cannot be taken now, of an unknown action, or on a proposal the user
    may not see: the same 404 as a missing proposal."""
    p, _ = walk_to("registered", actors=actors, cosign=False)
    assert staff_client.get(reverse("proposals:act_form", args=[p.pk, "register"])).status_code == 404
    assert staff_client.get(reverse("proposals:act_form", args=[p.pk, "no_such_action"])).status_code == 404
    assert staff_client.get(reverse("proposals:act_form", args=[999999, "register"])).status_code == 404
    draft, _ = walk_to("draft", actors=actors, cosign=False)
    assert staff_client.get(reverse("proposals:act_form", args=[draft.pk, "register"])).status_code == 404
