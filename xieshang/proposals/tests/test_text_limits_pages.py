"""Free text on the proposal pages (issue #12, items 5 and 7): a 9 MB body is refused by the form with the
limit next to the field and the text kept; control characters are dropped; a title is one line."""

import pytest
from django.urls import reverse

from xieshang.core.text import BODY_MAX
from xieshang.proposals.models import Proposal
from xieshang.proposals.tests.factories import make_actors
from xieshang.proposals.tests.test_views_member import _draft_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(client, committee):
    actors = make_actors(committee)
    client.force_login(actors.proposer)
    return client


def test_a_nine_megabyte_body_keeps_the_text_with_the_limit_in_the_message(member_client):
    big = "x" * 9_000_000
    response = member_client.post(reverse("proposals:create"), _draft_post(body=big))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["body"] == [f"确保该变量包含不超过 {BODY_MAX} 字符 (目前字符数 9000000)。"]
    assert form["body"].value() == big  # nothing typed is lost
    assert not Proposal.objects.exists()


def test_control_characters_are_dropped_and_the_title_is_one_line(member_client):
    response = member_client.post(reverse("proposals:create"), _draft_post(
        title="关于加快\r\n老旧小区\u0013改造的提案", body="一、现状\u000b；\r\n二、建议\u0000。",
        contact_address="昌吉市\n延安路"))
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.title, proposal.body, proposal.contact_address) == (
        "关于加快 老旧小区改造的提案", "一、现状；\n二、建议。", "昌吉市 延安路")


def test_a_form_above_the_request_limit_is_a_page_that_says_so(member_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = member_client.post(reverse("proposals:create"), _draft_post(body="长" * 1000))
    assert response.status_code == 400
    assert "too large" in response.content.decode() and not Proposal.objects.exists()
