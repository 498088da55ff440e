"""Who may have a proposal's documents (selectors.may_download_documents / may_download_reply_letter),
the same on the web pages, the Word downloads of reports/ and the uploaded letter."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xieshang.proposals import selectors, services
from xieshang.proposals.models import Proposal, Reply
from xieshang.proposals.tests.factories import make_member, make_unit, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(committee):
    p, actors = walk_to("handling", committee=committee, contact_phone="13912345678", contact_address="昌吉市北京南路")
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
    p = services.proposal_act(actor=actors.unit_users[0], proposal=p, action="reply",
                              data={"outcome": "adopted", "text": "已采纳。", "letter": letter})
    return p, actors


def test_the_documents_rule(replied, committee):
    p, actors = replied
    outsider = make_member(committee)
    _other_unit, other_unit_user = make_unit(committee)
    for user in (actors.proposer, actors.cosigner, actors.staff, actors.leader, actors.unit_users[0]):
        assert selectors.may_download_documents(user, p), user
    for user in (outsider, other_unit_user, None):
        assert not selectors.may_download_documents(user, p)
    Proposal.objects.filter(pk=p.pk).update(is_public=True)
    p.refresh_from_db()
    assert selectors.can_see(outsider, p) and not selectors.may_download_documents(outsider, p)
    reply = Reply.objects.get(proposal=p)
    assert not selectors.may_download_reply_letter(outsider, reply)  # the reply is not public
    Reply.objects.filter(pk=reply.pk).update(is_public=True)
    reply.refresh_from_db()
    assert selectors.may_download_reply_letter(outsider, reply)
    assert not selectors.may_download_reply_letter(other_unit_user, reply)  # a unit user does not see public ones


def test_staff_have_no_documents_of_others_drafts(committee):
    p, actors = walk_to("draft", committee=committee)
    assert selectors.may_download_documents(actors.proposer, p)
    assert not selectors.may_download_documents(actors.staff, p)
    assert not selectors.may_download_documents(actors.leader, p)


def test_the_proposer_of_a_merged_proposal_gets_the_targets_letters_but_not_its_form(committee):
    target, actors = walk_to("submitted", committee=committee, cosign=False, title="关于此问题的主提案")
    other = make_member(committee)
    own = services.proposal_create(actor=other, committee=committee, title="关于同一问题", body="建议")
    own = services.proposal_act(actor=other, proposal=own, action="submit")
    services.proposal_act(actor=actors.staff, proposal=own, action="merge", data={"into": target.pk})
    assert selectors.can_see(other, target)
    assert not selectors.may_download_documents(other, target)
    assert selectors.may_download_reply_letters(other, target)
    assert not selectors.may_download_reply_letters(make_member(committee), target)


def test_reports_word_downloads_follow_the_rule(client, replied, committee):
    p, actors = replied
    reply = Reply.objects.get(proposal=p)
    form_url = reverse("reports:proposal_docx", args=[p.pk])
    letter_url = reverse("reports:reply_letter_docx", args=[reply.pk])
    client.force_login(actors.unit_users[0])
    assert client.get(form_url).status_code == 200 and client.get(letter_url).status_code == 200
    outsider = make_member(committee)
    client.force_login(outsider)
    assert client.get(form_url).status_code == 404 and client.get(letter_url).status_code == 404
    services.proposal_act(actor=actors.staff, proposal=p, action="set_public", data={"value": True})
    assert client.get(form_url).status_code == 404
    assert client.get(letter_url).status_code == 200  # the reply was published with the proposal


def test_detail_page_shows_contact_and_documents_only_to_those_who_may_have_them(client, replied, committee):
    p, actors = replied
    services.proposal_act(actor=actors.staff, proposal=p, action="set_public", data={"value": True, "replies": False})
    client.force_login(actors.proposer)
    html = client.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "13912345678" in html and 'data-testid="proposal-docx"' in html and 'data-testid="letter-docx"' in html
    outsider = make_member(committee)
    client.force_login(outsider)
    response = client.get(reverse("proposals:detail", args=[p.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "13912345678" not in html and "北京南路" not in html
    assert 'data-testid="proposal-docx"' not in html and 'data-testid="letter-docx"' not in html
    letter = reverse("proposals:reply_letter", args=[p.pk, Reply.objects.get(proposal=p).pk])
    assert client.get(letter).status_code == 404
    client.force_login(actors.staff)
    assert client.get(letter).status_code == 200
