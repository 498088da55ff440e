"""The timeline: every event has a translated label and state names; autosave does not flood it."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation

from xieshang.core.models import Event
from xieshang.proposals import selectors, services, workflow
from xieshang.proposals.models import ProposalState
from xieshang.proposals.tests.factories import walk_to

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")
CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _edit(actors, p, title):
    return services.proposal_update(actor=actors.proposer, proposal=p, title=title)


def _edits(p):
    return Event.objects.for_object(p).filter(action="proposal.update").count()


def test_every_action_has_a_chinese_label():
    names = [*workflow.TRANSITIONS, "create", "update", "imported"]
    with translation.override("zh-hans"):
        for name in names:
            label = selectors.event_label(f"proposal.{name}")
            assert CJK.search(label), (name, label)
    with translation.override("en"):
        assert selectors.event_label("proposal.update") == "edited"
        assert selectors.event_label("proposal.imported") == "imported"
        assert selectors.event_label("proposal.set_public", {"value": False}) == "withdraw from publication"
        assert selectors.event_label("proposal.set_public", {"value": True}) == "publish"
        assert selectors.event_label("proposal.mark_excellent", {"value": False}) == "unmark as excellent"
        assert selectors.event_label("proposal.mark_key", {"is_key": False}) == "unmark as key proposal"


def test_the_new_labels_are_translated_in_the_catalogue():
    text = CATALOGUE.read_text(encoding="utf8")
    for msgid in ("withdraw from publication", "unmark as excellent", "unmark as key proposal"):
        match = re.search(rf'^msgid "{msgid}"\nmsgstr "(.+)"', text, re.M)
        assert match and CJK.search(match.group(1)), msgid


def test_timeline_events_carry_translated_state_names(committee):
    p, actors = walk_to("registered", committee=committee, cosign=False)
    with translation.override("zh-hans"):
        events = selectors.timeline_of(actors.staff, p)
    assert (events[0].from_label, events[0].to_label) == ("", "草稿")
    assert (events[-1].label, events[-1].from_label, events[-1].to_label) == ("立案", "已提交", "已立案")
    assert selectors.state_label("nonsense") == "nonsense"
    assert all(e.to_label == str(ProposalState(e.to_state).label) for e in events if e.to_state)


def test_the_detail_page_shows_the_state_names(client, committee):
    p, actors = walk_to("registered", committee=committee, cosign=False)
    client.force_login(actors.staff)
    html = client.get(f"/proposals/{p.pk}/", headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "已提交 → 已立案" in html


def test_autosave_records_one_edit_per_ten_minutes_but_bumps_the_version(committee, monkeypatch):
    p, actors = walk_to("draft", committee=committee)
    version = p.version
    for n in range(5):
        p = _edit(actors, p, f"关于第{n}次修改的提案")
    assert p.version == version + 5 and _edits(p) == 1
    assert p.title == "关于第4次修改的提案"
    later = timezone.now() + datetime.timedelta(minutes=11)
    monkeypatch.setattr(timezone, "now", lambda: later)
    p = _edit(actors, p, "关于十一分钟后的修改的提案")
    assert _edits(p) == 2 and p.version == version + 6
    p = _edit(actors, p, "关于紧接着的修改的提案")
    assert _edits(p) == 2


def test_another_event_in_between_makes_the_next_edit_count(committee):
    p, actors = walk_to("draft", committee=committee, cosign=False)
    p = _edit(actors, p, "关于第一次修改的提案")
    p = services.proposal_act(actor=actors.proposer, proposal=p, action="invite_cosigners",
                              data={"members": [actors.cosigner.memberships.get().pk]})
    p = _edit(actors, p, "关于第二次修改的提案")
    assert _edits(p) == 2


def test_an_edit_that_changes_nothing_bumps_nothing(committee):
    p, actors = walk_to("draft", committee=committee)
    p = _edit(actors, p, "关于同一标题的提案")
    version = p.version
    p = _edit(actors, p, "关于同一标题的提案")
    assert p.version == version and _edits(p) == 1
