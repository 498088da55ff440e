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


@pytest.mark.parametrize("action,data,kind", [
    ("urge", {"text": "请抓紧"}, "proposal.urged"),
    ("supervise", {"text": "请认真办理"}, "proposal.instruction"),
])
def test_a_unit_reader_of_english_gets_the_offices_messages_in_english(action, data, kind):
    """A handling unit's user who chose English gets the office's reminder and a leader's instruction in
    English, with the date in English, though the office reads Chinese."""
    p, actors = walk_to("handling", cosign=False)
    unit_user = actors.unit_users[0]
    unit_user.language = "en"
    unit_user.save(update_fields=["language"])
    actor = actors.leader if action == "supervise" else actors.staff
    with translation.override("zh-hans"):
        services.proposal_act(actor=actor, proposal=p, action=action, data=data)
    note = Notification.objects.filter(recipient=unit_user, kind=kind).latest("pk")
    assert re.search(r"[A-Za-z]{3,}", note.title) and "年" not in note.title, note.title
    if action == "urge":
        assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}", note.title), note.title
