"""The meeting notice (会议通知) as a Word file in the official layout (GB/T 9704, docs/documents.md), built from
xieshang.core.documents' blocks; always in Chinese. Who may download it: the callers decide through selectors
(the office and leaders, and the invited members once the notice is out)."""

from __future__ import annotations

from xieshang.core import clock
from xieshang.core import documents as blocks

from .models import Meeting, MeetingKind

KIND = {MeetingKind.PLENARY: "全体会议", MeetingKind.STANDING: "常务委员会会议",
        MeetingKind.CHAIRPERSONS: "主席会议", MeetingKind.CONSULTATION: "协商会"}
FORM = {"thematic": "专题协商会", "sector": "界别协商会", "counterpart": "对口协商会",
        "proposal_handling": "提案办理协商会", "grassroots": "基层协商会", "plenary_thematic": "全体会议专题协商",
        "standing_thematic": "常委会专题协商"}
ADDRESSEE = {MeetingKind.PLENARY: "各位委员：", MeetingKind.STANDING: "各位常务委员："}


def _days(meeting: Meeting) -> str:
    start = blocks.chinese_date(meeting.start_on)
    if meeting.end_on == meeting.start_on:
        return start
    return f"{start}至{blocks.chinese_date(meeting.end_on)}"


def notice_docx(meeting: Meeting) -> bytes:
    committee = meeting.committee
    org = getattr(committee, "name", "") or ""
    doc = blocks.new_document()
    blocks.red_header(doc, org, "办公室", rule=True)
    blocks.title(doc, f"关于召开{meeting.title}的通知")
    blocks.salutation(doc, ADDRESSEE.get(meeting.kind, "各位委员："))
    kind = FORM.get(meeting.form) or KIND.get(meeting.kind, "会议")
    blocks.body(doc, f"经研究，定于{_days(meeting)}召开{meeting.title}（{kind}）。现将有关事项通知如下：")
    blocks.heading(doc, "一、会议时间")
    blocks.body(doc, _days(meeting) + (f"，会期{meeting.half_days}个半天。" if meeting.half_days else "。"))
    blocks.heading(doc, "二、会议地点")
    blocks.body(doc, meeting.place or "另行通知。")
    if meeting.notice:
        blocks.heading(doc, "三、有关事项")
        blocks.body(doc, meeting.notice)
    blocks.heading(doc, "四、请假" if meeting.notice else "三、请假")
    blocks.body(doc, "请各位委员安排好工作，准时参会。确因特殊情况不能参会的，请于会前通过系统或向办公室请假。")
    blocks.signature(doc, f"{org}办公室", (meeting.notified_at.date() if meeting.notified_at else clock.today()))
    blocks.page_numbers(doc)
    return blocks.to_bytes(doc)


def notice_filename(meeting: Meeting) -> str:
    return f"会议通知_{meeting.start_on:%Y%m%d}_{meeting.pk}.docx"
