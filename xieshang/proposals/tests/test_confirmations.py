"""Irreversible one-click actions ask before they are sent (data-confirm, read by app.js); deleting a draft is
called "delete the draft", not withdrawal (撤案 is for submitted proposals)."""

import re

import pytest
from django.test import Client

from xieshang.proposals.models import Assignment
from xieshang.proposals.tests.factories import walk_to
from xieshang.proposals.workflow import CONFIRMED

pytestmark = pytest.mark.django_db


def _page(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    return response.content.decode()


def _form_of(page, action) -> str:
    found = re.search(r'<form [^>]*action="[^"]*/act/%s/"[^>]*>' % action, page)
    assert found, action
    return found.group(0)


def test_draft_is_deleted_not_withdrawn_and_asks():
    p, actors = walk_to("draft", cosign=False)
    page = _page(actors.proposer, f"/proposals/{p.pk}/")
    assert "删除草稿" in page and "撤案" not in page
    assert "data-confirm" in _form_of(page, "withdraw")
    submitted, actors2 = walk_to("submitted", cosign=False)
    page = _page(actors2.proposer, f"/proposals/{submitted.pk}/")
    assert "delete the draft" not in page and "/act/withdraw/" in page  # 撤案, as before


def test_acknowledge_and_close_ask_before_sending():
    p, actors = walk_to("assigned", cosign=False)
    assert "data-confirm" in _form_of(_page(actors.unit_users[0], f"/proposals/{p.pk}/"), "acknowledge")
    p2, actors2 = walk_to("replied", cosign=False)
    staff_page = _page(actors2.staff, f"/proposals/{p2.pk}/")
    for action in ("close",):
        if f"/act/{action}/" in staff_page:
            assert "data-confirm" in _form_of(staff_page, action)
    # an action that is not irreversible does not ask
    p3, actors3 = walk_to("submitted", cosign=False)
    assert "data-confirm" not in _form_of(_page(actors3.staff, f"/proposals/{p3.pk}/"), "register")
    assert {"acknowledge", "rehandle", "evaluate", "close"} <= CONFIRMED
    assert Assignment.objects.filter(proposal=p).exists()
