"""The grassroots app's official papers as Word files, built from xieshang.core.documents' blocks in the layout
of GB/T 9704 (docs/documents.md). Always in Chinese, whatever the user's language.

- `activity_minutes_docx(activity)` 协商议事活动纪要: the red masthead, the organiser and date under a red rule,
  the topic as title, a table (时间, 地点, 组织单位, 活动类型, 出席委员, 请假委员, 缺席委员, 参加部门, 参加群众),
  一、会议纪要 (the minutes), 二、成果清单 (each outcome with its owner, due date and state),
  三、群众诉求 (the demands raised there: tracking code, category, state — never a name or phone number),
  the organiser and the date on the right, page numbers.
- `place_year_docx(place, year)` 站点年度履职记录: 一、基本情况 (kind, county, township, address, rota, keepers,
  resident members), 二、活动开展情况 (a table of the activities held), 三、委员出勤情况 (each member: invited,
  present, on leave, absent), 四、群众诉求及办理情况 (the year's figures and a table of the demands — no personal
  data), the place and the date of printing, page numbers.

Who may download them is decided by the callers through selectors (activity_views, place_views).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q

from xieshang.core import clock
from xieshang.core import documents as blocks

from . import workflow as wf
from .activity_lists import keepers_by_place, residents_by_place, year_figures
from .models import (
    Activity, ActivityKind, ActivityMember, Attendance, Demand, DemandState, OutcomeState, OwnerKind,
)

KIND = {ActivityKind.CONSULTATION: "协商议事活动", ActivityKind.RECEPTION_DAY: "接待日"}
PLACE_KIND = {"station": "委员联络站", "member_studio": "委员工作室", "sector_studio": "界别委员工作室"}
DEMAND_STATE = {
    DemandState.RECEIVED: "已接收", DemandState.ACCEPTED: "已受理", DemandState.DECLINED: "不予受理",
    DemandState.REFERRED: "已转办", DemandState.CONVERTED: "已转为提案或社情民意", DemandState.ANSWERED: "已答复",
    DemandState.CLOSED: "已办结",
}
OUTCOME_STATE = {OutcomeState.OPEN: "推进中", OutcomeState.DONE: "已完成"}
NONE = "无"


def _names(items) -> str:
    return "、".join(i.name for i in items) or NONE


def organiser_name(activity) -> str:
    if activity.place_id:
        return activity.place.name
    return activity.special_committee.name if activity.special_committee_id else ""


def _when(activity) -> str:
    text = blocks.chinese_date(activity.date)
    return f"{text} {activity.start_time:%H:%M}" if activity.start_time else text


def _category(demand) -> str:
    from xieshang.core import categories

    return categories.catalogue(demand.committee_id).name(demand.category)  # as the committee writes it


def _table(doc, widths_mm, head, rows):
    """A grid table: the header row in 黑体, then the rows (each a list of texts)."""
    from docx.shared import Mm

    table = doc.add_table(rows=0, cols=len(widths_mm))
    table.style = "Table Grid"
    for values, is_head in ((head, True), *((r, False) for r in rows)):
        cells = table.add_row().cells
        for cell, width, text in zip(cells, widths_mm, values, strict=True):
            cell.width = Mm(width)
            blocks.table_cell(cell, str(text), bold=is_head, center=is_head, size=blocks.XIAOSI, doc=doc)
    return table


def _owner(outcome) -> str:
    if outcome.owner_kind == OwnerKind.UNIT and outcome.owner_unit_id:
        return outcome.owner_unit.name
    if outcome.owner_kind == OwnerKind.MEMBER and outcome.owner_member_id:
        return f"{outcome.owner_member.name}委员"
    return "政协"


# --- 协商议事活动纪要 -------------------------------------------------------------------------------------------------


def activity_minutes_docx(activity: Activity, user=None) -> bytes:
    """The minutes of one activity (the caller has checked that the user may see it). A demand's tracking code
    is the citizen's key on the portal: with `user`, only the codes of the demands that user may see are named."""
    participants = list(activity.participants.select_related("member").order_by("member__name", "id"))
    by_status = {s: [p.member for p in participants if p.status == s] for s in Attendance.values}
    outcomes = list(activity.outcomes.select_related("owner_unit", "owner_member").order_by("id"))
    demands = list(Demand.objects.filter(activity=activity).order_by("received_on", "id"))
    if user is not None:
        from .selectors import demands_visible_to

        visible = set(demands_visible_to(user, activity.committee_id).filter(activity=activity)
                      .values_list("pk", flat=True))
    organiser = organiser_name(activity)

    doc = blocks.new_document()
    blocks.red_header(doc, "", "协商议事活动纪要", size=36, space_after=0)
    blocks.masthead_line(doc, organiser, blocks.chinese_date(activity.date), rule=True)
    blocks.blank(doc)
    blocks.title(doc, activity.topic)
    _table(doc, (32, 124), ("项目", "内容"), [
        ("时间", _when(activity)),
        ("地点", activity.location or (activity.place.address if activity.place_id else "") or NONE),
        ("组织单位", organiser),
        ("活动类型", KIND.get(activity.kind, activity.kind)),
        ("出席委员", _names(by_status[Attendance.PRESENT])),
        ("请假委员", _names(by_status[Attendance.LEAVE])),
        ("缺席委员", _names(by_status[Attendance.ABSENT])),
        ("参加部门", _names(activity.units_present.order_by("sort_order", "name"))),
        ("参加群众", f"{activity.citizens_count}人"),
    ])
    blocks.blank(doc)
    blocks.heading(doc, "一、会议纪要")
    if activity.minutes.strip():
        blocks.body(doc, activity.minutes)
    else:
        blocks.paragraph(doc, "（未记录）")
    blocks.heading(doc, "二、成果清单")
    if not outcomes:
        blocks.paragraph(doc, "（无）")
    for index, o in enumerate(outcomes, start=1):
        due = f"；完成时限：{blocks.chinese_date(o.due_on)}" if o.due_on else ""
        done = f"（{blocks.chinese_date(o.done_on)}完成）" if o.state == OutcomeState.DONE and o.done_on else ""
        blocks.paragraph(doc, f"{index}. {o.text}（责任方：{_owner(o)}{due}；{OUTCOME_STATE.get(o.state, o.state)}{done}）")
    blocks.heading(doc, "三、群众诉求")
    if not demands:
        blocks.paragraph(doc, "本次活动未收到群众诉求。")
    else:
        blocks.paragraph(doc, f"本次活动共收到群众诉求{len(demands)}件。")
        for index, d in enumerate(demands, start=1):
            code = f"查询码{d.tracking_code}，" if user is None or d.pk in visible else ""
            blocks.paragraph(doc, f"{index}. {code}{_category(d)}类，{DEMAND_STATE.get(d.state, d.state)}。")
    blocks.signature(doc, organiser, activity.date)
    blocks.page_numbers(doc)
    return blocks.to_bytes(doc)


def activity_filename(activity) -> str:
    return f"协商议事活动纪要_{activity.date:%Y%m%d}_{activity.pk}.docx"


# --- 站点年度履职记录 -------------------------------------------------------------------------------------------------


def _attendance(place, year: int) -> list[tuple]:
    """Per member: (name, invited, present, on leave, absent) over the place's activities held in `year`."""
    rows = (ActivityMember.objects.filter(activity__place=place, activity__date__year=year,
                                          activity__state__in=wf.ACTIVITY_GROUPS["held"])
            .values("member__name").annotate(
                invited=Count("pk"), present=Count("pk", filter=Q(status=Attendance.PRESENT)),
                leave=Count("pk", filter=Q(status=Attendance.LEAVE)),
                absent=Count("pk", filter=Q(status=Attendance.ABSENT)))
            .order_by("-present", "member__name"))
    return [(r["member__name"], r["invited"], r["present"], r["leave"], r["absent"]) for r in rows]


def place_year_docx(place, year: int) -> bytes:
    """A place's yearly record (the caller has checked that the user may have it)."""
    keepers = keepers_by_place(place.committee_id, [place]).get(place.pk, [])
    residents = residents_by_place([place]).get(place.pk, [])
    figures = year_figures(place.committee_id, year, [place.pk]).get(place.pk)
    activities = list(
        Activity.objects.filter(place=place, date__year=year, state__in=wf.ACTIVITY_GROUPS["held"])
        .annotate(present=Count("participants", filter=Q(participants__status=Attendance.PRESENT)))
        .order_by("date", "id"))
    demands = list(Demand.objects.filter(place=place, received_on__year=year).select_related("unit")
                   .order_by("received_on", "id"))

    doc = blocks.new_document()
    blocks.red_header(doc, "", "站点年度履职记录", size=36, space_after=0)
    blocks.masthead_line(doc, place.name, f"{year}年度", rule=True)
    blocks.blank(doc)
    blocks.title(doc, f"{place.name}{year}年度履职记录")
    blocks.heading(doc, "一、基本情况")
    kind = PLACE_KIND.get(place.kind, place.kind)
    where = "".join(x for x in (place.county, place.township) if x)
    blocks.paragraph(doc, f"{place.name}为{kind}，位于{where or '—'}"
                          f"{('，地址：' + place.address) if place.address else ''}。"
                          f"{('每月' + place.reception_days.replace(',', '日、') + '日为接待日，每次安排' + str(place.on_duty) + '名委员值班。') if place.reception_days else ''}")
    blocks.paragraph(doc, f"站点管理员：{'、'.join(u.display_name for u in keepers) or NONE}。")
    blocks.paragraph(doc, f"驻站委员：{_names(residents)}。")
    blocks.heading(doc, "二、活动开展情况")
    consultations = sum(1 for a in activities if a.kind == ActivityKind.CONSULTATION)
    receptions = len(activities) - consultations
    blocks.paragraph(doc, f"全年开展协商议事活动{consultations}次，接待日{receptions}次，"
                          f"参加群众{sum(a.citizens_count for a in activities)}人次。")
    if activities:
        _table(doc, (12, 34, 26, 60, 12, 12), ("序号", "日期", "类型", "主题", "委员", "群众"), [
            (i, blocks.chinese_date(a.date), KIND.get(a.kind, a.kind), a.topic, a.present, a.citizens_count)
            for i, a in enumerate(activities, start=1)])
    blocks.heading(doc, "三、委员出勤情况")
    attendance = _attendance(place, year)
    if attendance:
        _table(doc, (44, 28, 28, 28, 28), ("委员", "应出席", "出席", "请假", "缺席"), attendance)
    else:
        blocks.paragraph(doc, "（无）")
    blocks.heading(doc, "四、群众诉求及办理情况")
    if figures is None or not figures.received:
        blocks.paragraph(doc, "全年未收到群众诉求。")
    else:
        blocks.paragraph(doc, f"全年收到群众诉求{figures.received}件，已答复{figures.answered}件，"
                              f"答复率{figures.answer_rate}；按期答复{figures.on_time}件，按期答复率{figures.on_time_rate}。")
        _table(doc, (12, 34, 30, 24, 32, 24), ("序号", "查询码", "受理日期", "类别", "办理单位", "状态"), [
            (i, d.tracking_code, blocks.chinese_date(d.received_on), _category(d),
             d.unit.name if d.unit_id else "—", DEMAND_STATE.get(d.state, d.state))
            for i, d in enumerate(demands, start=1)])
    blocks.signature(doc, place.name, clock.today())
    blocks.page_numbers(doc)
    return blocks.to_bytes(doc)


def place_filename(place, year: int) -> str:
    return f"站点年度履职记录_{place.pk}_{year}.docx"


def years_of(today: datetime.date | None = None, first: int = 2020) -> list[int]:
    today = today or clock.today()
    return list(range(today.year, first - 1, -1))
