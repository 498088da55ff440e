"""Proposal notifications are written in the reader's language, whatever the actor reads, with dates as
offices write them (core.notices)."""

import re

import pytest
from django.utils import translation

from xieshang.core.models import Notification
from xieshang.proposals import services
from xieshang.proposals.tests.factories import walk_to

pytestmark = pytest.mark.django_db


def test_an_english_speaking_office_leaves_chinese_notices_to_a_chinese_reader():
    p, actors = walk_to("submitted", cosign=False)
    with translation.override("en"):  # the staff member reads English
        services.proposal_act(actor=actors.staff, proposal=p, action="return_for_revision", data={"reason": "请补充"})
    note = Notification.objects.get(recipient=actors.proposer, kind="proposal.returned")
    assert "Your proposal" not in note.title and p.title in note.title


def test_dates_in_notices_are_written_as_offices_write_them():
    p, actors = walk_to("assigned", cosign=False)
    note = Notification.objects.filter(kind="proposal.assigned").latest("pk")
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", note.body), note.body
    assert not re.search(r"\d{4}-\d{2}-\d{2}", note.body), note.body
