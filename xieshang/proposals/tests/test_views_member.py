"""The member's screens: my proposals, drafting (with autosave), co-signing, submitting, evaluating."""

import re

import pytest
from django.urls import reverse

from xieshang.core.models import Member
from xieshang.proposals.models import CoSigner, Proposal, ProposalState
from xieshang.proposals.tests.factories import ProposalFactory, make_actors, make_member, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors(committee):
    return make_actors(committee)


@pytest.fixture
def member_client(client, actors):
    client.force_login(actors.proposer)
    return client


def _draft_post(**overrides):
    data = {
        "title": "关于加快老旧小区改造的提案", "kind": "session", "category": "society",
        "body": "一、现状；二、问题；三、建议。", "suggested_units": "州住建局", "contact_phone": "0994-1234567",
        "contact_address": "昌吉市", "client_key": "k-123",
    }
    data.update(overrides)
    return data


def test_my_proposals_lists_own_and_not_others(member_client, actors, committee):
    own, _ = walk_to("submitted", actors=actors, title="我自己的提案")
    other_user = make_member(committee)
    other = ProposalFactory(committee=committee, lead_proposer=other_user.memberships.get(), title="别人的草稿")
    response = member_client.get(reverse("proposals:mine"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "我自己的提案" in html and other.title not in html
    assert reverse("proposals:detail", args=[own.pk]) in html


def test_create_form_renders_with_a_client_key(member_client):
    response = member_client.get(reverse("proposals:create"))
    assert response.status_code == 200
    html = response.content.decode()
    key = re.search(r'name="client_key" value="([0-9a-f]{32})"', html)
    assert key, "the form carries a fresh client key"
    assert 'hx-post="/proposals/autosave/"' in html


def test_create_then_same_key_again_makes_one_draft(member_client, actors):
    url = reverse("proposals:create")
    first = member_client.post(url, _draft_post())
    assert first.status_code == 302
    second = member_client.post(url, _draft_post(body="改过的正文"))  # the double click, a moment later
    assert second.status_code == 302
    drafts = Proposal.objects.filter(created_by=actors.proposer)
    assert drafts.count() == 1
    draft = drafts.get()
    assert first["Location"] == second["Location"] == reverse("proposals:detail", args=[draft.pk])
    assert draft.state == ProposalState.DRAFT and draft.body == "改过的正文"
    assert draft.lead_proposer == actors.member


def test_create_without_title_keeps_what_was_typed(member_client, actors):
    response = member_client.post(reverse("proposals:create"), _draft_post(title="", body="我写了很多很多字"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "我写了很多很多字" in html
    assert 'class="field has-error"' in html
    assert 'value="0994-1234567"' in html and 'value="k-123"' in html
    assert not Proposal.objects.filter(created_by=actors.proposer).exists()


def test_create_with_too_long_title_and_bad_choice_is_not_a_500(member_client):
    response = member_client.post(reverse("proposals:create"), _draft_post(title="长" * 300, category="nonsense", session="abc"))
    assert response.status_code == 200
    assert "长" * 300 in response.content.decode()


def test_a_user_without_member_row_gets_the_message_not_a_500(client, committee, make_user):
    staff = make_user(committee, "staff")
    client.force_login(staff)
    response = client.post(reverse("proposals:create"), _draft_post())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html or 'class="error"' in html
    assert "关于加快老旧小区改造的提案" in html


def test_autosave_creates_then_updates_and_reports_the_time(member_client, actors):
    url = reverse("proposals:autosave")
    r1 = member_client.post(url, _draft_post(body="第一稿"), HTTP_HX_REQUEST="true")
    assert r1.status_code == 200
    draft = Proposal.objects.get(created_by=actors.proposer)
    html = r1.content.decode()
    assert 'data-testid="autosave-status"' in html and re.search(r"\d\d:\d\d", html)
    assert f'name="proposal" value="{draft.pk}"' in html and 'hx-swap-oob="true"' in html
    assert r1["HX-Replace-Url"] == reverse("proposals:edit", args=[draft.pk])
    r2 = member_client.post(url, _draft_post(body="第二稿", proposal=draft.pk, version=draft.version), HTTP_HX_REQUEST="true")
    draft.refresh_from_db()
    assert draft.body == "第二稿"
    assert f'name="version" value="{draft.version}"' in r2.content.decode()


def test_autosave_without_title_saves_nothing_and_says_so(member_client, actors):
    response = member_client.post(reverse("proposals:autosave"), _draft_post(title=""), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'class="autosave-status failed"' in response.content.decode()
    assert not Proposal.objects.filter(created_by=actors.proposer).exists()


def test_autosave_with_a_stale_version_does_not_overwrite(member_client, actors):
    draft, _ = walk_to("draft", actors=actors, body="原文")
    old_version = draft.version
    member_client.post(reverse("proposals:autosave"), _draft_post(body="另一个窗口", proposal=draft.pk, version=old_version))
    draft.refresh_from_db()
    assert draft.body == "另一个窗口"
    response = member_client.post(reverse("proposals:autosave"), _draft_post(body="旧窗口的内容", proposal=draft.pk, version=old_version))
    assert response.status_code == 200
    assert 'class="autosave-status failed"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.body == "另一个窗口"


def test_save_after_own_autosave_is_no_conflict(member_client, actors):
    """The autosave fired on blur just before the Save click: same text, older version — no error."""
    draft, _ = walk_to("draft", actors=actors, body="原文")
    version = draft.version
    member_client.post(reverse("proposals:autosave"), _draft_post(body="新正文", proposal=draft.pk, version=version))
    response = member_client.post(reverse("proposals:edit", args=[draft.pk]), _draft_post(body="新正文", proposal=draft.pk, version=version))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.body == "新正文"


def test_edit_conflict_keeps_the_input(member_client, actors):
    draft, _ = walk_to("draft", actors=actors, body="原文")
    version = draft.version
    member_client.post(reverse("proposals:autosave"), _draft_post(body="别处改的", proposal=draft.pk, version=version))
    response = member_client.post(reverse("proposals:edit", args=[draft.pk]), _draft_post(body="我的修改", proposal=draft.pk, version=version))
    assert response.status_code == 200
    assert "我的修改" in response.content.decode()
    draft.refresh_from_db()
    assert draft.body == "别处改的"


def test_edit_page_of_a_submitted_proposal_goes_back_to_it(member_client, actors):
    p, _ = walk_to("submitted", actors=actors)
    response = member_client.get(reverse("proposals:edit", args=[p.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("proposals:detail", args=[p.pk])


def test_another_members_draft_is_404_everywhere(client, actors, committee):
    draft, _ = walk_to("draft", actors=actors)
    stranger = make_member(committee)
    client.force_login(stranger)
    for name in ("proposals:detail", "proposals:edit", "proposals:print", "proposals:invite"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 404, name
    assert client.post(reverse("proposals:act", args=[draft.pk, "submit"])).status_code == 404
    response = client.post(reverse("proposals:autosave"), _draft_post(proposal=draft.pk, version=draft.version))
    draft.refresh_from_db()
    assert draft.title != "关于加快老旧小区改造的提案"
    assert response.status_code == 200
    assert client.get(reverse("proposals:detail", args=[999999])).status_code == 404


def test_unknown_action_is_404(member_client, actors):
    draft, _ = walk_to("draft", actors=actors)
    assert member_client.post(reverse("proposals:act", args=[draft.pk, "explode"])).status_code == 404
    assert member_client.get(reverse("proposals:act", args=[draft.pk, "submit"])).status_code == 405


def test_detail_of_a_draft_offers_exactly_the_proposers_actions(member_client, actors):
    draft, _ = walk_to("draft", actors=actors)
    html = member_client.get(reverse("proposals:detail", args=[draft.pk])).content.decode()
    for action in ("update", "invite_cosigners", "submit", "withdraw"):
        assert f'data-testid="action-{action}"' in html, action
    for action in ("register", "assign", "acknowledge", "reply", "evaluate"):
        assert f'data-testid="action-{action}"' not in html, action
    assert 'data-testid="timeline"' in html


def test_submit_without_text_shows_why_and_stays_draft(member_client, actors):
    draft, _ = walk_to("draft", actors=actors, body="")
    response = member_client.post(reverse("proposals:act", args=[draft.pk, "submit"]), {})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == ProposalState.DRAFT


def test_submit_goes_to_the_office(member_client, actors):
    draft, _ = walk_to("draft", actors=actors)
    response = member_client.post(reverse("proposals:act", args=[draft.pk, "submit"]), {})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == ProposalState.SUBMITTED


def test_invite_cosigners_search_and_sign(client, member_client, actors, committee):
    draft, _ = walk_to("draft", actors=actors)
    colleague = make_member(committee, full_name="王小明")
    colleague_member = Member.objects.get(user=colleague)
    url = reverse("proposals:invite", args=[draft.pk])
    page = member_client.get(url, {"q": "小明"})
    assert page.status_code == 200 and f'value="{colleague_member.pk}"' in page.content.decode()
    partial = member_client.get(url, {"q": "小明"}, HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="member-results"')
    bad = member_client.post(url, {"members": ["abc"]})
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()
    assert member_client.post(url, {"members": [str(colleague_member.pk)]}).status_code == 302
    member_client.post(reverse("proposals:act", args=[draft.pk, "submit"]), {"submit-cosign_days": "5"})
    draft.refresh_from_db()
    assert draft.state == ProposalState.COSIGNING

    client.force_login(colleague)
    invitations = client.get(reverse("proposals:cosign_invitations"))
    assert draft.title in invitations.content.decode()
    back = reverse("proposals:cosign_invitations")
    response = client.post(reverse("proposals:act", args=[draft.pk, "cosign"]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert CoSigner.objects.get(proposal=draft, member=colleague_member).state == CoSigner.State.SIGNED


def test_next_must_stay_on_this_site(member_client, actors):
    draft, _ = walk_to("draft", actors=actors)
    response = member_client.post(reverse("proposals:act", args=[draft.pk, "submit"]), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("proposals:detail", args=[draft.pk])


def test_evaluation_form_keeps_the_comment_and_then_closes(member_client, actors):
    p, _ = walk_to("replied", actors=actors)
    mine = member_client.get(reverse("proposals:mine")).content.decode()
    assert 'data-testid="to-evaluate"' in mine
    url = reverse("proposals:act", args=[p.pk, "evaluate"])
    response = member_client.post(url, {"evaluate-comment": "答复很认真"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "答复很认真" in html and "<details class=\"action-box\" open>" in html
    response = member_client.post(url, {"evaluate-verdict": "satisfied", "evaluate-comment": "答复很认真"})
    assert response.status_code == 200 and 'data-testid="confirm-evaluate"' in response.content.decode()
    p.refresh_from_db()
    assert p.state == ProposalState.REPLIED  # shown back to confirm: nothing submitted yet
    response = member_client.post(url, {"evaluate-verdict": "satisfied", "evaluate-comment": "答复很认真",
                                        "evaluate-confirmed": "1"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.state == ProposalState.CLOSED
    detail = member_client.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert 'data-verdict="satisfied"' in detail and "答复很认真" in detail


def test_returned_proposal_is_edited_and_resubmitted(member_client, actors):
    p, _ = walk_to("returned", actors=actors)
    detail = member_client.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert 'data-testid="action-update"' in detail and 'data-testid="action-resubmit"' in detail
    assert "请补充调研数据" in detail
    edit = member_client.get(reverse("proposals:edit", args=[p.pk])).content.decode()
    assert 'data-testid="return-reason"' in edit
    response = member_client.post(reverse("proposals:edit", args=[p.pk]),
                                  _draft_post(body="补充了调研数据", proposal=p.pk, version=p.version))
    assert response.status_code == 302
    member_client.post(reverse("proposals:act", args=[p.pk, "resubmit"]))
    p.refresh_from_db()
    assert p.state == ProposalState.SUBMITTED and p.body == "补充了调研数据"


def test_invite_page_of_a_submitted_proposal_goes_back(member_client, actors):
    p, _ = walk_to("submitted", actors=actors)
    response = member_client.get(reverse("proposals:invite", args=[p.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("proposals:detail", args=[p.pk])


def test_pages_in_english(member_client, actors):
    walk_to("submitted", actors=actors)
    member_client.cookies["django_language"] = "en"
    response = member_client.get(reverse("proposals:mine"))
    assert response["Content-Language"] == "en"
    assert "My proposals" in response.content.decode()
    member_client.cookies["django_language"] = "zh-hans"
    assert member_client.get(reverse("proposals:mine"))["Content-Language"] == "zh-hans"


def test_absurd_ids_are_404_not_500(member_client, actors):
    p, _ = walk_to("replied", actors=actors)
    huge = "9" * 30
    for url in (f"/proposals/{huge}/", f"/proposals/{huge}/print/", f"/proposals/{p.pk}/replies/{huge}/letter/"):
        assert member_client.get(url).status_code == 404, url
    assert member_client.post(f"/proposals/{huge}/act/submit/").status_code == 404
    response = member_client.post(reverse("proposals:act", args=[p.pk, "evaluate"]),
                                  {"evaluate-reply": huge, "evaluate-verdict": "satisfied"})
    assert response.status_code == 200
    response = member_client.post(reverse("proposals:autosave"), _draft_post(proposal=huge, version=huge))
    assert response.status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, actors):
    p, _ = walk_to("submitted", actors=actors)
    for url in (reverse("proposals:mine"), reverse("proposals:list"), reverse("proposals:detail", args=[p.pk]),
                reverse("proposals:export")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
