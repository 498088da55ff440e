"""Meetings (会议): plenary sessions, standing committee meetings, chairpersons' meetings and consultation
meetings of every form — invitations, sign-up, leave requests (请假), attendance (签到), speeches and written
statements (口头发言 / 书面发言), minutes and the outcome report (成果报送) with its recipients' feedback.

States, groups and the legal moves are in workflow.py; every write in services.py; every read that depends on
who asks in selectors.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xieshang.core.models import Committee, Member, Organization, SpecialCommittee

TITLE_LIMIT = 120
PLACE_LIMIT = 120
NOTICE_LIMIT = 4000
MINUTES_LIMIT = 20000
SPEECH_LIMIT = 10000
REASON_LIMIT = 500
MAX_HALF_DAYS = 40  # a meeting of at most twenty days
CODE_LENGTH = 6


class MeetingKind(models.TextChoices):
    PLENARY = "plenary", _("plenary session")  # 全体会议: every member of the committee
    STANDING = "standing", _("standing committee meeting")  # 常委会议: the standing committee's members
    CHAIRPERSONS = "chairpersons", _("chairpersons' meeting")  # 主席会议
    CONSULTATION = "consultation", _("consultation meeting")  # 协商会: a form below


class MeetingForm(models.TextChoices):
    THEMATIC = "thematic", _("thematic consultation")  # 专题协商
    SECTOR = "sector", _("sector consultation")  # 界别协商
    COUNTERPART = "counterpart", _("counterpart consultation")  # 对口协商
    PROPOSAL_HANDLING = "proposal_handling", _("proposal-handling consultation")  # 提案办理协商
    GRASSROOTS = "grassroots", _("grassroots consultation")  # 基层协商
    PLENARY_THEMATIC = "plenary_thematic", _("plenary thematic consultation")  # 全体会议专题协商
    STANDING_THEMATIC = "standing_thematic", _("standing committee thematic consultation")  # 常委会专题协商


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("planned")  # being prepared: only the office and leaders see it
    NOTIFIED = "notified", _("notice sent")  # the invited members have the notice
    HELD = "held", pgettext_lazy("meeting", "held")  # took place: attendance and speeches
    MINUTES_SENT = "minutes_sent", _("minutes sent")  # the minutes went to the Party committee and government
    CLOSED = "closed", pgettext_lazy("meeting", "closed")  # the record is complete
    CANCELLED = "cancelled", pgettext_lazy("meeting", "cancelled")


class Meeting(models.Model):
    """会议: one meeting of the committee, its invited members and what happened at it."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee"))
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    form = models.CharField(_("form of consultation"), max_length=20, choices=MeetingForm.choices, blank=True)
    title = models.CharField(_("title"), max_length=TITLE_LIMIT)
    year = models.PositiveSmallIntegerField(_("year"))
    start_on = models.DateField(_("first day"))
    end_on = models.DateField(_("last day"))
    half_days = models.PositiveSmallIntegerField(_("half-days"), default=0)  # 0: not counted in half-days
    place = models.CharField(_("place"), max_length=PLACE_LIMIT, blank=True)
    notice = models.TextField(_("notice"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_recipients = models.CharField(_("minutes sent to"), max_length=200, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=REASON_LIMIT, blank=True)
    # The code members enter on their phones to sign in (valid for invited members from the first to the last day)
    sign_in_code = models.CharField(_("sign-in code"), max_length=CODE_LENGTH, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=MeetingState.choices, default=MeetingState.PLANNED)
    version = models.PositiveIntegerField(default=1)
    notified_at = models.DateTimeField(null=True, blank=True)
    materials_sent_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    minutes_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-start_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__gte=F("start_on")), name="meeting_days_in_order"),
            models.CheckConstraint(condition=Q(half_days__lte=MAX_HALF_DAYS), name="meeting_half_days_bounded"),
            models.CheckConstraint(
                condition=(Q(kind="consultation") & ~Q(form="")) | (~Q(kind="consultation") & Q(form="")),
                name="meeting_form_only_for_consultation",
            ),
            models.CheckConstraint(condition=~Q(state="cancelled") | ~Q(cancel_reason=""),
                                   name="meeting_cancelled_has_reason"),
        ]
        indexes = [models.Index(fields=["committee", "year", "kind"]), models.Index(fields=["committee", "start_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def form_or_kind(self) -> str:
        """The key of the meeting in the statistics: its form for a consultation meeting, else its kind."""
        return self.form or self.kind


class Invitation(models.Model):
    """A member invited to a meeting, and whether they signed up (报名)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    signed_up_at = models.DateTimeField(_("signed up"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="invitation_unique")]


class LeaveState(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class LeaveRequest(models.Model):
    """请假: an invited member asks to be excused before the meeting starts; the office decides."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="leave_requests")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    reason = models.CharField(_("reason"), max_length=REASON_LIMIT)
    state = models.CharField(_("state"), max_length=10, choices=LeaveState.choices, default=LeaveState.PENDING)
    answer = models.CharField(_("answer"), max_length=REASON_LIMIT, blank=True)
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="leaverequest_unique")]


class Presence(models.TextChoices):
    PRESENT = "present", _("present")
    LEAVE = "leave", _("on leave")
    ABSENT = "absent", _("absent without leave")


class AttendanceSource(models.TextChoices):
    STAFF = "staff", _("sign-in list")
    CODE = "code", _("code on the phone")
    CLOSING = "closing", _("closing the record")


class Attendance(models.Model):
    """签到: one record per member and meeting (posting again replaces it)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    status = models.CharField(_("attendance"), max_length=8, choices=Presence.choices)
    half_days = models.PositiveSmallIntegerField(_("half-days"), default=0)
    source = models.CharField(_("recorded by"), max_length=8, choices=AttendanceSource.choices,
                              default=AttendanceSource.STAFF)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_one_per_member"),
            models.CheckConstraint(condition=Q(half_days__lte=MAX_HALF_DAYS), name="attendance_half_days_bounded"),
        ]


class SpeechKind(models.TextChoices):
    ORAL = "oral", _("oral speech")  # 口头发言
    WRITTEN = "written", _("written statement")  # 书面发言


class Speech(models.Model):
    """A member's speech or written statement at a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="speeches")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    kind = models.CharField(_("kind"), max_length=8, choices=SpeechKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_LIMIT)
    text = models.TextField(_("text"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("speech")
        verbose_name_plural = _("speeches")
        ordering = ["meeting", "id"]


class OutcomeReport(models.Model):
    """成果报送: what a meeting's consultation produced, sent to named recipients who answer with feedback."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="outcome_reports")
    title = models.CharField(_("title"), max_length=TITLE_LIMIT)
    text = models.TextField(_("text"))
    sent_on = models.DateField(_("sent on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("outcome report")
        verbose_name_plural = _("outcome reports")
        ordering = ["meeting", "id"]


class OutcomeRecipient(models.Model):
    """One body an outcome report went to (州委, 州政府 …) and its feedback (反馈)."""

    report = models.ForeignKey(OutcomeReport, on_delete=models.CASCADE, related_name="recipients")
    name = models.CharField(_("recipient"), max_length=60)
    feedback = models.TextField(_("feedback"), blank=True)
    feedback_on = models.DateField(_("feedback received on"), null=True, blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["report", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "name"], name="outcomerecipient_unique")]


# --- The year's consultation plan and its topics (年度协商计划 / 协商议题) ------------------------------------

TOPIC_TITLE_LIMIT = 120
TOPIC_REASON_LIMIT = 3000
CALL_TEXT_LIMIT = 4000
DOC_NUMBER_LIMIT = 60


class PlanState(models.TextChoices):
    DRAFT = "draft", _("being drawn up")  # topics collected and shortlisted by the office
    CHAIR_APPROVED = "chair_approved", _("passed by the chairpersons' meeting")  # 主席会议审议通过
    APPROVED = "approved", _("approved by the Party committee")  # 党委批准: the plan is in force


class ConsultationPlan(models.Model):
    """年度协商计划: one per committee and year, passed by the chairpersons' meeting, then approved by the Party
    committee (each approval with its date and document number, in that order)."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee"))
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=16, choices=PlanState.choices, default=PlanState.DRAFT)
    chair_approved_on = models.DateField(_("passed by the chairpersons' meeting on"), null=True, blank=True)
    chair_document = models.CharField(_("document number (chairpersons' meeting)"), max_length=DOC_NUMBER_LIMIT,
                                      blank=True)
    party_approved_on = models.DateField(_("approved by the Party committee on"), null=True, blank=True)
    party_document = models.CharField(_("document number (Party committee)"), max_length=DOC_NUMBER_LIMIT, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consultation plan")
        verbose_name_plural = _("consultation plans")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year"], name="consultationplan_one_per_year"),
            models.CheckConstraint(
                condition=Q(party_approved_on__isnull=True) | Q(chair_approved_on__lte=F("party_approved_on")),
                name="consultationplan_approvals_in_order"),
            models.CheckConstraint(
                condition=Q(state="draft") | (Q(chair_approved_on__isnull=False) & ~Q(chair_document="")),
                name="consultationplan_chair_recorded"),
            models.CheckConstraint(
                condition=~Q(state="approved") | (Q(party_approved_on__isnull=False) & ~Q(party_document="")),
                name="consultationplan_party_recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.year}"


class TopicCall(models.Model):
    """协商议题征集: the year's call for topics to the parties and groups, special committees and members."""

    plan = models.OneToOneField(ConsultationPlan, on_delete=models.CASCADE, related_name="call")
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee"))
    year = models.PositiveSmallIntegerField(_("year"))
    deadline = models.DateField(_("topics due by"))
    text = models.TextField(_("text of the call"), blank=True)
    issued_on = models.DateField(_("issued on"))

    class Meta:
        verbose_name = _("call for topics")
        verbose_name_plural = _("calls for topics")
        constraints = [models.UniqueConstraint(fields=["committee", "year"], name="topiccall_one_per_year"),
                       models.CheckConstraint(condition=Q(deadline__gte=F("issued_on")), name="topiccall_dates_in_order")]


class TopicState(models.TextChoices):
    SUBMITTED = "submitted", _("received")  # waiting for the office's decision
    SHORTLISTED = "shortlisted", _("shortlisted")  # in the draft plan
    APPROVED = "approved", _("in the plan")  # the plan is approved: waiting to be scheduled
    SCHEDULED = "scheduled", _("scheduled")  # a meeting is planned for it
    MERGED = "merged", _("merged")  # merged into another topic (final)
    DECLINED = "declined", _("not taken up")  # with the reason (final)
    WITHDRAWN = "withdrawn", pgettext_lazy("topic", "withdrawn")  # by its submitter (final)


class TopicSource(models.TextChoices):
    MEMBER = "member", _("member")
    ORGANIZATION = "organization", _("party or group")
    SPECIAL_COMMITTEE = "special_committee", _("special committee")


class ConsultationTopic(models.Model):
    """协商议题: a topic proposed for the year's plan by a member, or for a party/group or a special committee."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee"))
    plan = models.ForeignKey(ConsultationPlan, on_delete=models.PROTECT, related_name="topics")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=TOPIC_TITLE_LIMIT)
    reason = models.TextField(_("reason"))
    form = models.CharField(_("suggested form"), max_length=20, choices=MeetingForm.choices)
    sponsor = models.ForeignKey(SpecialCommittee, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("sponsoring special committee"))
    source = models.CharField(_("submitted by"), max_length=20, choices=TopicSource.choices)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("member"))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("party or group"))
    special_committee = models.ForeignKey(SpecialCommittee, on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+", verbose_name=_("special committee"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    state = models.CharField(_("state"), max_length=12, choices=TopicState.choices, default=TopicState.SUBMITTED)
    month = models.PositiveSmallIntegerField(_("planned month"), null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=REASON_LIMIT, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged",
                                    verbose_name=_("merged into"))
    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="topic",
                                   verbose_name=_("meeting"))
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("consultation topic")
        verbose_name_plural = _("consultation topics")
        ordering = ["-year", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                                   name="topic_month_valid"),
            models.CheckConstraint(condition=~Q(source="member") | Q(member__isnull=False), name="topic_member_named"),
            models.CheckConstraint(condition=~Q(source="organization") | Q(organization__isnull=False),
                                   name="topic_organization_named"),
            models.CheckConstraint(condition=~Q(source="special_committee") | Q(special_committee__isnull=False),
                                   name="topic_special_committee_named"),
            models.CheckConstraint(condition=~Q(state="merged") | Q(merged_into__isnull=False), name="topic_merged_target"),
            models.CheckConstraint(condition=~Q(state="declined") | ~Q(decline_reason=""), name="topic_declined_reason"),
            models.CheckConstraint(condition=~Q(state="scheduled") | Q(meeting__isnull=False), name="topic_scheduled_meeting"),
            models.CheckConstraint(condition=~Q(state__in=["shortlisted", "approved", "scheduled"]) | Q(month__isnull=False),
                                   name="topic_planned_month"),
        ]
        indexes = [models.Index(fields=["committee", "year", "state"])]

    def __str__(self) -> str:
        return self.title

    @property
    def source_name(self) -> str:
        if self.source == TopicSource.MEMBER and self.member_id:
            return self.member.name
        if self.source == TopicSource.ORGANIZATION and self.organization_id:
            return self.organization.name
        if self.special_committee_id:
            return self.special_committee.name
        return ""
