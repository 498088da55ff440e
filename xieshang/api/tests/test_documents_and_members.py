"""Who gets the documents (proposal form, reply letters) through the API, and the member search for co-signing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xieshang.api.tests.conftest import make_proposal
from xieshang.core.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def _replied_with_letter(people, *, public=None, replies=None, **fields):
    proposal = make_proposal(people, "handling", contact_phone="13912345678", contact_address="昌吉市北京南路", **fields)
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
    ok(people.api_lead.post_multipart(f"proposals/{proposal.pk}/actions/reply",
                                      {"outcome": "adopted", "text": "已采纳。", "letter": letter}))
    if public is not None:
        data = {"value": public} if replies is None else {"value": public, "replies": replies}
        ok(people.api_staff.act(proposal.pk, "set_public", data))
    proposal.refresh_from_db()
    return proposal


def _urls(proposal):
    reply = proposal.replies.get()
    return {
        "form": f"proposals/{proposal.pk}/documents/proposal.docx",
        "letter_docx": f"proposals/{proposal.pk}/replies/{reply.pk}/letter.docx",
        "letter": f"proposals/{proposal.pk}/replies/{reply.pk}/letter",
    }


def test_the_proposal_form_is_for_those_who_work_on_the_proposal(people):
    proposal = _replied_with_letter(people, cosign=True)
    url = _urls(proposal)["form"]
    for api in (people.api_proposer, people.api_cosigner, people.api_staff, people.api_leader, people.api_lead):
        assert api.get(url).status_code == 200
    for api in (people.api_outsider, people.api_other):
        assert ok(api.get(url), 404)["code"] == "not_found"


def test_a_member_who_sees_a_public_proposal_gets_no_form_and_no_contact(people):
    proposal = _replied_with_letter(people, public=True, replies=False)
    body = ok(people.api_outsider.get(f"proposals/{proposal.pk}"))  # visible: it is public
    assert body["contact_phone"] == "" and body["contact_address"] == "" and body["documents"] == {}
    assert body["replies"] == []  # not published: a public-only reader does not get it (issue #12 item 4)
    for url in _urls(proposal).values():
        assert ok(people.api_outsider.get(url), 404)["code"] == "not_found"
    mine = ok(people.api_proposer.get(f"proposals/{proposal.pk}"))
    assert mine["contact_phone"] == "13912345678" and mine["documents"]["proposal_docx"]
    assert mine["replies"][0]["letter_docx_url"] and mine["replies"][0]["is_public"] is False


def test_public_replies_letters_are_public_but_the_form_is_not(people):
    proposal = _replied_with_letter(people, public=True)
    urls = _urls(proposal)
    body = ok(people.api_outsider.get(f"proposals/{proposal.pk}"))
    assert body["replies"][0]["is_public"] is True and body["replies"][0]["letter_docx_url"]
    assert people.api_outsider.get(urls["letter_docx"]).status_code == 200
    download = people.api_outsider.get(urls["letter"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 letter"
    assert people.api_outsider.get(urls["form"]).status_code == 404


def test_set_public_accepts_the_replies_flag_as_a_form_field(people):
    proposal = _replied_with_letter(people)
    body = ok(people.api_staff.post_multipart(f"proposals/{proposal.pk}/actions/set_public",
                                              {"value": "true", "replies": "false"}))
    assert body["is_public"] is True and body["replies"][0]["is_public"] is False


def test_the_timeline_names_the_states(people):
    proposal = make_proposal(people, "registered")
    events = ok(people.api_proposer.get(f"proposals/{proposal.pk}/events"))
    assert events[-1]["from_label"] == "已提交" and events[-1]["to_label"] == "已立案"
    assert events[0]["from_label"] == "" and events[0]["to_label"] == "草稿"


# --- GET /members ----------------------------------------------------------------------------------


def test_members_to_invite_by_name_and_invite_them(people):
    found = ok(people.api_proposer.get("members", {"q": "赵"}))
    assert [m["name"] for m in found] == ["赵委员"]
    assert found[0]["id"] == people.cosigner_member.pk and set(found[0]) == {"id", "name", "sector"}
    everyone = {m["name"] for m in ok(people.api_proposer.get("members"))}
    assert {"赵委员", "钱委员"} <= everyone and "张委员" not in everyone  # not oneself
    draft = make_proposal(people, "draft")
    body = ok(people.api_proposer.act(draft.pk, "invite_cosigners", {"members": [found[0]["id"]]}))
    assert [c["member"]["name"] for c in body["cosigners"]] == ["赵委员"]


def test_members_leaves_out_inactive_members_and_other_committees(people, committee):
    from xieshang.proposals.tests.factories import make_committee

    MemberFactory(committee=committee, name="赵退休", is_active=False)
    MemberFactory(committee=make_committee(), name="赵外地")
    assert [m["name"] for m in ok(people.api_proposer.get("members", {"q": "赵"}))] == ["赵委员"]
    assert len(ok(people.api_staff.get("members", {"limit": 1}))) == 1


def test_members_is_empty_for_those_who_cannot_draft(people):
    assert ok(people.api_lead.get("members")) == []
    assert ok(people.api_leader.get("members")) == []
    assert len(ok(people.api_staff.get("members", {"q": "委员"}))) == 3  # staff draft organisations' proposals


def test_members_refuses_bad_parameters_and_anonymous_callers(people, anon_api):
    assert people.api_proposer.get("members", {"q": "赵" * 41}).status_code == 422
    assert people.api_proposer.get("members", {"limit": 0}).status_code == 422
    assert anon_api.get("members").status_code == 401
