"""The rules of a year through the services and selectors: who may, the checks, concurrency, the audit trail,
the Excel and JSON forms; a member's duty from the ledger."""

import copy
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from xieshang.core.errors import Conflict, Forbidden, Invalid, NotFound
from xieshang.core.models import Event
from xieshang.members import selectors, services, tables
from xieshang.members.models import DutyRuleSet

from .factories import make_people, record
from .tables import TABLE_SEVENTY, TABLE_ZERO

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(committee):
    return make_people(committee)


def put(people, document=TABLE_ZERO, version=0, actor=None, year=2026):
    return services.duty_rules_put(actor=actor or people.staff, committee=people.committee, year=year,
                                   document=document, version=version)


def test_staff_put_and_read_back_with_versions_and_audit(people):
    row = put(people)
    assert row.version == 1 and row.updated_by == people.staff
    row = put(people, TABLE_SEVENTY, version=1, actor=people.admin)
    assert row.version == 2
    read = selectors.duty_rules_get(people.staff, people.committee, 2026)
    assert read.document["base"] == 70 and read.version == 2
    events = Event.objects.filter(action="duty_rules.put").order_by("id")
    assert [e.payload["version"] for e in events] == [1, 2]
    assert "document" in events[1].payload["changes"]


def test_a_year_without_rules_reads_as_version_zero(people):
    row = selectors.duty_rules_get(people.staff, people.committee, 2025)
    assert row.pk is None and row.version == 0


@pytest.mark.parametrize("role", ["leader", "unit", "member_user"])
def test_only_the_office(people, role):
    with pytest.raises(Forbidden):
        put(people, actor=getattr(people, role))
    with pytest.raises(NotFound):
        selectors.duty_rules_get(getattr(people, role), people.committee, 2026)
    assert not DutyRuleSet.objects.exists()


def test_stale_version_is_a_conflict(people):
    put(people)
    put(people, TABLE_SEVENTY, version=1)
    with translation.override("en"), pytest.raises(Conflict) as caught:
        put(people, TABLE_ZERO, version=1)  # edited from version 1, which is gone
    assert "now version 2" in str(caught.value.message)
    with pytest.raises(Conflict):
        put(people, TABLE_ZERO, version=0)  # "new" while the year has rules
    assert DutyRuleSet.objects.get().document["base"] == 70


def test_bad_rules_name_the_place_and_change_nothing(people):
    document = copy.deepcopy(TABLE_ZERO)
    document["categories"][2]["items"][0]["kind"] = "x"
    with translation.override("en"), pytest.raises(Invalid) as caught:
        put(people, document)
    assert caught.value.field_errors == {"categories[2].items[0].kind": ["unknown fact kind “x”"]}
    assert "categories[2].items[0].kind" in str(caught.value.message)
    assert not DutyRuleSet.objects.exists()


@pytest.mark.parametrize("year", [1999, 2101, "x"])
def test_years_out_of_range(people, year):
    with pytest.raises(NotFound):
        put(people, year=year)


def _upload(data: bytes, name="rules.xlsx"):
    return SimpleUploadedFile(name, data)


def test_excel_round_trip(people):
    data = tables.write_xlsx(TABLE_SEVENTY)
    row = services.duty_rules_import_xlsx(actor=people.staff, committee=people.committee, year=2026,
                                          file=_upload(data), version=0)
    from xieshang.members import rules

    assert rules.parse(row.document) == rules.parse(TABLE_SEVENTY)


def _sheet(rows):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([c.header for c in tables.COLUMNS])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_excel_every_bad_row_is_reported_and_nothing_changes(people):
    put(people)
    #          类型   名称  事项            说明 分值  单位     上限 下限 最低分 只计超过 份额
    data = _sheet([
        ["基础分", None, None, None, 60],
        ["等次", "优秀", None, None, None, None, None, None, 85],
        ["等次", "良好", None, None, None, None, None, None, 85],      # row 4: overlaps
        ["等次", "不称职"],
        ["类别", "会议", None, None, 0, None, -5],                    # row 6: cap below zero
        ["事项", None, "plenary_present", None, 2, "半天"],
        ["事项", None, "飞行", None, 2, "次"],                         # row 8: unknown kind
        ["事项", None, "proposal_registered", None, 5, "件", None, None, None, 1, 1.5],  # row 9: share
        ["小计"],                                                      # row 10: not a row type
    ])
    with translation.override("en"), pytest.raises(Invalid) as caught:
        services.duty_rules_import_xlsx(actor=people.staff, committee=people.committee, year=2026, file=_upload(data),
                                        version=1)
    problems = caught.value.field_errors["file"]
    assert [p.split(" ", 2)[1] for p in problems] == ["10", "4", "6", "8", "9"]
    assert problems[2] == "Row 6 上限：a cap must not be below zero"
    assert problems[3] == "Row 8 事项：unknown fact kind “飞行”"
    assert DutyRuleSet.objects.get().version == 1


def test_json_import_and_bad_json(people):
    row = services.duty_rules_import_json(actor=people.staff, committee=people.committee, year=2026,
                                          file=_upload(tables.write_json(TABLE_ZERO), "rules.json"), version=0)
    assert row.version == 1
    with pytest.raises(Invalid):
        services.duty_rules_import_json(actor=people.staff, committee=people.committee, year=2026,
                                        file=_upload(b"[1, 2", "rules.json"), version=1)


# --- A member's duty -------------------------------------------------------------------------------------


def test_member_duty_from_the_ledger(people):
    put(people, TABLE_ZERO)
    record(people.member, "proposal.lead", authors=3)
    record(people.member, "opinion.submitted", 6)
    record(people.member, "opinion.adopted.province", on=datetime.date(2025, 5, 1))  # another year
    record(people.other, "opinion.submitted", 2)
    for user in (people.member_user, people.staff, people.admin, people.leader):
        duty = selectors.member_duty(user, people.member.pk, 2026)
        assert duty.result.total == Decimal("13.00")  # 6 × 0.5 + 6 × 2 = 12 → cap 10
        assert len(duty.facts) == 7 and duty.unmapped == []
    for user in (people.other_user, people.unit):
        with pytest.raises(NotFound):
            selectors.member_duty(user, people.member.pk, 2026)


def test_member_duty_without_rules(people):
    record(people.member, "opinion.submitted")
    duty = selectors.member_duty(people.member_user, people.member.pk, 2026)
    assert duty.result is None and len(duty.facts) == 1


def test_evaluate_office_only(people):
    duty = selectors.duty_evaluate(people.staff, people.committee, TABLE_SEVENTY,
                                   [{"kind": "proposal_registered"}, {"kind": "opinion.adopted.province"}])
    assert duty.result.total == Decimal("76.00")
    with pytest.raises(Forbidden):
        selectors.duty_evaluate(people.leader, people.committee, TABLE_SEVENTY, [])
    with translation.override("en"), pytest.raises(Invalid) as caught:
        selectors.duty_evaluate(people.staff, people.committee, TABLE_SEVENTY, [{"kind": "nope"}])
    assert caught.value.field_errors == {"facts[0].kind": ["unknown fact kind “nope”"]}


def test_member_duty_reads_a_fixed_number_of_queries(people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    put(people, TABLE_ZERO)
    counts = []
    for n in (2, 20):
        record(people.member, "opinion.submitted", n)
        record(people.member, "proposal.lead", authors=2)
        with CaptureQueriesContext(connection) as queries:
            duty = selectors.member_duty(people.staff, people.member.pk, 2026)
        assert duty.result is not None
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_timeline_names_the_event(people):
    from xieshang.core import audit

    put(people)
    event = Event.objects.get(action="duty_rules.put")
    with translation.override("en"):
        assert audit.event_label(event.action) == "scoring rules saved"
