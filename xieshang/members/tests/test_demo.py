"""The members' demo loader: the rules of 2024–2026 parse and are stored through the service, training with
attendance facts, hand facts, the alert date; idempotent (a second run creates nothing)."""

import datetime
import io

import pytest

from xieshang.core import clock
from xieshang.core.models import DutyFact
from xieshang.members import demo, rules
from xieshang.members.models import AlertSetting, Course, DutyRuleSet, ManualFact

from .factories import make_people

pytestmark = pytest.mark.django_db


def test_rules_of_every_year_parse_and_pass_line():
    from xieshang.members.alerts import pass_line

    for year in demo.YEARS:
        assert pass_line(rules.parse(demo.rules_of(year))) == 55


def test_loader_is_idempotent(committee):
    clock.set_to(datetime.date(2026, 12, 5))
    people = make_people(committee)
    data = {"committee": committee, "users": {"staff": people.staff, "leader": people.leader},
            "members": {"member": people.member, "other": people.other}}
    out = io.StringIO()
    demo.load(data, stdout=out)
    counts = (DutyRuleSet.objects.count(), Course.objects.count(), ManualFact.objects.count(),
              AlertSetting.objects.count(), DutyFact.objects.count())
    assert counts[:4] == (3, 6, 6, 3)  # two members: two hand facts a year
    assert DutyFact.objects.filter(kind="members.training").exists()
    demo.load(data, stdout=out)
    assert (DutyRuleSet.objects.count(), Course.objects.count(), ManualFact.objects.count(),
            AlertSetting.objects.count(), DutyFact.objects.count()) == counts
    assert "scores 2026" in out.getvalue()
