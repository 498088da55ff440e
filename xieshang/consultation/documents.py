"""The meeting notice (会议通知) and the minutes (会议纪要) as Word files in the official layout (GB/T 9704,
docs/documents.md), built from xieshang.core.documents' blocks; always in Chinese. Who may download them: the
callers decide through selectors (whoever may see the meeting: the office and leaders, and the invited members
once the notice is out; the minutes once they are recorded)."""

from __future__ import annotations

from xieshang.core import clock
from xieshang.core import documents as blocks

from .models import Meeting, MeetingKind, Presence

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


def _kind(meeting: Meeting) -> str:
    return FORM.get(meeting.form) or KIND.get(meeting.kind, "会议")


def _name(meeting: Meeting) -> str:
    """What a document calls the meeting: its title when that names a meeting (…专题协商会, …第三次会议), else the
    title in quotes followed by its form — a meeting scheduled from a topic takes the topic's title
    (“加快普惠托育服务体系建设”专题协商会)."""
    title = blocks.clean(meeting.title)
    return title if title.endswith(("会", "会议")) else f"“{title}”{_kind(meeting)}"


def _held(meeting: Meeting) -> str:
    """The meeting's name, with its form in brackets when the name does not say it: 召开<this>."""
    name, kind = _name(meeting), _kind(meeting)
    return name if kind in name else f"{name}（{kind}）"


def _local_day(moment, default):
    """The local day of a stored moment (the database keeps UTC: a notice sent at 07:00 in Beijing is the day
    before in UTC), or `default`."""
    from django.utils import timezone

    return timezone.localtime(moment).date() if moment else default


def notice_docx(meeting: Meeting) -> bytes:
    committee = meeting.committee
    org = getattr(committee, "name", "") or ""
    doc = blocks.new_document()
    blocks.red_header(doc, org, "办公室", rule=True)
    blocks.title(doc, f"关于召开{_name(meeting)}的通知")
    blocks.salutation(doc, ADDRESSEE.get(meeting.kind, "各位委员："))
    blocks.body(doc, f"经研究，定于{_days(meeting)}召开{_held(meeting)}。现将有关事项通知如下：")
    blocks.heading(doc, "一、会议时间")
    blocks.body(doc, _days(meeting) + (f"，会期{meeting.half_days}个半天。" if meeting.half_days else "。"))
    blocks.heading(doc, "二、会议地点")
    blocks.body(doc, meeting.place or "另行通知。")
    if meeting.notice:
        blocks.heading(doc, "三、有关事项")
        blocks.body(doc, meeting.notice)
    blocks.heading(doc, "四、请假" if meeting.notice else "三、请假")
    blocks.body(doc, "请各位委员安排好工作，准时参会。确因特殊情况不能参会的，请于会前通过系统或向办公室请假。")
    blocks.signature(doc, f"{org}办公室", _local_day(meeting.notified_at, clock.today()))
    blocks.page_numbers(doc)
    return blocks.to_bytes(doc)


def notice_filename(meeting: Meeting) -> str:
    return f"会议通知_{meeting.start_on:%Y%m%d}_{meeting.pk}.docx"


def minutes_number(meeting: Meeting) -> int:
    """The minutes' issue of the year (第N期): how many of the committee's meetings of that year had their minutes
    sent up to this one (by the day they were sent, then the meeting's id)."""
    sent = meeting.minutes_sent_at
    if sent is None:
        return 0
    earlier = Meeting.objects.filter(committee_id=meeting.committee_id, year=meeting.year,
                                     minutes_sent_at__isnull=False)
    return (earlier.filter(minutes_sent_at__lt=sent).count()
            + earlier.filter(minutes_sent_at=sent, pk__lte=meeting.pk).count())


def minutes_docx(meeting: Meeting) -> bytes:
    """会议纪要: the masthead (<committee>会议纪要, 2026年第N期, the office and the day the minutes were sent), the
    title, what was held when and where, the minutes' text, the speeches and written statements, who attended and
    who was on leave (names and counts; the absent as a count), and 报送: the recipients (the Party committee and
    the government, as the issue has the minutes go to them)."""
    from .selectors import attendance_rows, speeches_of

    rows, speeches = attendance_rows(meeting), list(speeches_of(meeting))
    committee = meeting.committee
    org = getattr(committee, "name", "") or ""
    sent = _local_day(meeting.minutes_sent_at, clock.today())
    doc = blocks.new_document()
    blocks.red_header(doc, org, "会议纪要")
    number = minutes_number(meeting)
    blocks.document_number(doc, f"{meeting.year}年第{number}期" if number else f"{meeting.year}年")
    blocks.masthead_line(doc, f"{org}办公室", blocks.chinese_date(sent), rule=True)
    blocks.title(doc, f"{_name(meeting)}纪要")
    where = f"在{blocks.clean(meeting.place)}" if meeting.place else ""
    blocks.body(doc, f"{_days(meeting)}，{org}{where}召开{_held(meeting)}。现将会议主要情况纪要如下：")
    blocks.body(doc, meeting.minutes or "（纪要正文尚未录入。）")
    if speeches:
        blocks.heading(doc, "会议发言")
        for n, speech in enumerate(speeches, 1):
            label = "书面发言" if speech.kind == "written" else "发言"
            blocks.body(doc, f"{n}．{speech.member.name}（{label}）：{speech.title}")
    by_status = {status: [r["member"].name for r in rows if r["status"] == status] for status in Presence.values}
    for label, status in (("出席", Presence.PRESENT), ("请假", Presence.LEAVE)):
        if by_status[status]:
            _labelled(doc, label, f"{'、'.join(by_status[status])}（{len(by_status[status])}人）")
    if by_status[Presence.ABSENT]:  # counted, not named, in a document sent up (the sign-in list names them)
        _labelled(doc, "缺席", f"{len(by_status[Presence.ABSENT])}人")
    if meeting.minutes_recipients:
        blocks.blank(doc)
        blocks.cc_line(doc, "报送", meeting.minutes_recipients, top_rule=True)
    blocks.page_numbers(doc)
    return blocks.to_bytes(doc)


def _labelled(doc, label, text):
    """A line of the minutes' attendance: the label (出席：) in 黑体, as 纪要 set it, the names in the body type."""
    p = blocks.paragraph(doc)
    blocks.run(p, f"{label}：", font=blocks.fonts_of(doc).heading, doc=doc)
    blocks.run(p, text, doc=doc)
    return p


def minutes_filename(meeting: Meeting) -> str:
    return f"会议纪要_{meeting.start_on:%Y%m%d}_{meeting.pk}.docx"
