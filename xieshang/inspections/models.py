"""Inspections and research (视察 / 考察 / 调研) and democratic supervision (民主监督).

- Inspection: one inspection, study tour or research of the year's plan (planned month), its topic, lead leader,
  sponsoring special committee, team (TeamMember), schedule of visits (Visit), findings, the report with its
  recommendations (Recommendation), forwarded to the Party committee or the government, each recommendation
  followed to its answer.
- SupervisionItem: a democratic supervision item — topic, the body supervised, team, findings, report with its
  recommendations (the same Recommendation, its `supervision` parent), follow-up.
- SpecialSupervisor (特邀监督员): a member appointed to a body that asked for one, for a term, and their reports
  (SupervisorReport).

States, groups and the legal moves are in workflow.py; every write in services.py; every read that depends on
who asks in selectors.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xieshang.core.models import Committee, HandlingUnit, Member, SpecialCommittee

TITLE_LIMIT = 120
PLACE_LIMIT = 120
UNITS_LIMIT = 300
TEXT_LIMIT = 20000
RECOMMENDATION_LIMIT = 2000
ANSWER_LIMIT = 4000
REASON_LIMIT = 500
RECIPIENTS_LIMIT = 200
BODY_LIMIT = 120
DOC_NUMBER_LIMIT = 60


class InspectionKind(models.TextChoices):
    INSPECTION = "inspection", _("inspection")  # 视察
    STUDY_VISIT = "study_visit", _("study tour")  # 考察
    RESEARCH = "research", _("research")  # 调研


class InspectionState(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("inspection", "planned")  # in the year's plan
    UNDER_WAY = "under_way", _("under way")  # the team is at work: visits, findings, recommendations
    REPORT_DRAFTED = "report_drafted", _("report drafted")
    REPORT_SENT = "report_sent", _("report sent")  # forwarded; recommendations wait for their answers
    CLOSED = "closed", pgettext_lazy("inspection", "closed")  # every recommendation answered
    CANCELLED = "cancelled", pgettext_lazy("inspection", "cancelled")


class SupervisionState(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("inspection", "planned")
    UNDER_WAY = "under_way", _("under way")
    REPORTED = "reported", _("reported")  # the report went to the body supervised
    CLOSED = "closed", pgettext_lazy("inspection", "closed")  # the follow-up is recorded
    CANCELLED = "cancelled", pgettext_lazy("inspection", "cancelled")


class FilePurpose(models.TextChoices):
    """What an attached file (core.Attachment.purpose) of an inspection or a supervision item is."""

    REPORT = "report", _("report document")  # 报告文稿
    PHOTO = "photo", _("photo of a visit")  # 视察照片
    MATERIAL = "material", _("findings material")  # 调研材料


class TeamRole(models.TextChoices):
    LEADER = "leader", _("team leader")  # 组长
    MEMBER = "member", _("team member")  # 成员


class Inspection(models.Model):
    """视察 / 考察 / 调研: one item of the year's inspection and research plan, followed to its answers."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee"))
    kind = models.CharField(_("kind"), max_length=12, choices=InspectionKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    planned_month = models.PositiveSmallIntegerField(_("planned month"))
    title = models.CharField(_("topic"), max_length=TITLE_LIMIT)
    purpose = models.TextField(_("purpose"), blank=True)
    lead_leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("lead leader"))
    special_committee = models.ForeignKey(SpecialCommittee, on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+", verbose_name=_("sponsoring special committee"))
    findings = models.TextField(_("findings"), blank=True)
    report_title = models.CharField(_("report title"), max_length=TITLE_LIMIT, blank=True)
    report_text = models.TextField(_("report"), blank=True)
    report_author = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                      verbose_name=_("report written by"))
    recipients = models.CharField(_("sent to"), max_length=RECIPIENTS_LIMIT, blank=True)
    report_sent_on = models.DateField(_("report sent on"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=REASON_LIMIT, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=InspectionState.choices,
                             default=InspectionState.PLANNED)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inspection or research")
        verbose_name_plural = _("inspections and research")
        ordering = ["-year", "planned_month", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_month__gte=1, planned_month__lte=12),
                                   name="inspection_month_valid"),
            models.CheckConstraint(condition=~Q(state="cancelled") | ~Q(cancel_reason=""),
                                   name="inspection_cancelled_has_reason"),
            models.CheckConstraint(condition=~Q(state__in=["report_sent", "closed"]) | Q(report_sent_on__isnull=False),
                                   name="inspection_sent_has_date"),
        ]
        indexes = [models.Index(fields=["committee", "year", "planned_month"])]

    def __str__(self) -> str:
        return self.title


class SupervisionItem(models.Model):
    """民主监督: one supervision item — topic, the body supervised, team, findings, report, follow-up."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee"))
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("topic"), max_length=TITLE_LIMIT)
    body = models.CharField(_("body supervised"), max_length=BODY_LIMIT)
    special_committee = models.ForeignKey(SpecialCommittee, on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+", verbose_name=_("sponsoring special committee"))
    purpose = models.TextField(_("purpose"), blank=True)
    findings = models.TextField(_("findings"), blank=True)
    report_text = models.TextField(_("report"), blank=True)
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=REASON_LIMIT, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=SupervisionState.choices,
                             default=SupervisionState.PLANNED)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supervision item")
        verbose_name_plural = _("supervision items")
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(state="cancelled") | ~Q(cancel_reason=""),
                                   name="supervision_cancelled_has_reason"),
            models.CheckConstraint(condition=~Q(state__in=["reported", "closed"]) | Q(reported_on__isnull=False),
                                   name="supervision_reported_has_date"),
        ]

    def __str__(self) -> str:
        return self.title


class TeamMember(models.Model):
    """A member of an inspection's or a supervision item's team (exactly one of the two), leader or member."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, null=True, blank=True, related_name="team")
    supervision = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="team")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    role = models.CharField(_("role"), max_length=8, choices=TeamRole.choices, default=TeamRole.MEMBER)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["role", "member__name", "id"]
        constraints = [
            models.CheckConstraint(condition=(Q(inspection__isnull=False) & Q(supervision__isnull=True))
                                   | (Q(inspection__isnull=True) & Q(supervision__isnull=False)),
                                   name="teammember_one_parent"),
            models.UniqueConstraint(fields=["inspection", "member"], name="teammember_unique_inspection"),
            models.UniqueConstraint(fields=["supervision", "member"], name="teammember_unique_supervision"),
        ]


class Visit(models.Model):
    """One day of the schedule: date, place, units visited."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="visits")
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=PLACE_LIMIT)
    units = models.CharField(_("units visited"), max_length=UNITS_LIMIT, blank=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["date", "id"]


class Recommendation(models.Model):
    """One numbered recommendation (意见建议) of an inspection report or of a supervision item's report (exactly one
    of the two parents), followed to the recipient's answer (adopted or not)."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+")
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="recommendations")
    supervision = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="recommendations")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("recommendation"))
    recipient = models.CharField(_("recipient"), max_length=60)
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    adopted = models.BooleanField(_("adopted"), null=True, blank=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["inspection_id", "supervision_id", "number", "id"]
        constraints = [
            models.CheckConstraint(condition=(Q(inspection__isnull=False) & Q(supervision__isnull=True))
                                   | (Q(inspection__isnull=True) & Q(supervision__isnull=False)),
                                   name="recommendation_one_parent"),
            models.UniqueConstraint(fields=["inspection", "number"], name="recommendation_unique_number"),
            models.UniqueConstraint(fields=["supervision", "number"], name="recommendation_unique_number_supervision"),
            models.CheckConstraint(condition=Q(answered_on__isnull=True) | ~Q(answer="") & Q(adopted__isnull=False),
                                   name="recommendation_answer_complete"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:40]}"

    @property
    def is_answered(self) -> bool:
        return self.answered_on is not None


class SpecialSupervisor(models.Model):
    """特邀监督员: a member appointed to a body that asked for one, for a term (the end after the start)."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    unit = models.ForeignKey(HandlingUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("body"))
    requested_on = models.DateField(_("asked for on"), null=True, blank=True)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    note = models.CharField(_("note"), max_length=REASON_LIMIT, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("special supervisor")
        verbose_name_plural = _("special supervisors")
        ordering = ["-term_start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(term_end__gt=F("term_start")), name="specialsupervisor_term_in_order"),
            models.UniqueConstraint(fields=["unit", "member", "term_start"], name="specialsupervisor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.unit}"


class SupervisorReport(models.Model):
    """A special supervisor's report to the committee (date, text)."""

    supervisor = models.ForeignKey(SpecialSupervisor, on_delete=models.CASCADE, related_name="reports")
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=TITLE_LIMIT)
    text = models.TextField(_("text"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supervisor's report")
        verbose_name_plural = _("supervisor's reports")
        ordering = ["-date", "-id"]


class PlanApproval(models.Model):
    """The approval of a committee's year's plan of inspections (视察调研计划): passed by the chairpersons' meeting
    (主席会议审议通过), then approved by the Party committee (党委批准), each with its date and document number (文号).
    A row exists once the chairpersons' meeting's approval is recorded; it can change until the Party committee's is."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee"))
    year = models.PositiveSmallIntegerField(_("year"))
    chair_approved_on = models.DateField(_("passed by the chairpersons' meeting on"))
    chair_document = models.CharField(_("document number (chairpersons' meeting)"), max_length=DOC_NUMBER_LIMIT)
    party_approved_on = models.DateField(_("approved by the Party committee on"), null=True, blank=True)
    party_document = models.CharField(_("document number (Party committee)"), max_length=DOC_NUMBER_LIMIT, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("approval of the inspection plan")
        verbose_name_plural = _("approvals of the inspection plan")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year"], name="inspectionplanapproval_one_per_year"),
            models.CheckConstraint(condition=~Q(chair_document=""), name="inspectionplanapproval_chair_document"),
            models.CheckConstraint(
                condition=(Q(party_approved_on__isnull=True) & Q(party_document=""))
                | (Q(party_approved_on__isnull=False) & ~Q(party_document="")),
                name="inspectionplanapproval_party_complete"),
            models.CheckConstraint(
                condition=Q(party_approved_on__isnull=True) | Q(chair_approved_on__lte=F("party_approved_on")),
                name="inspectionplanapproval_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.year}"

    @property
    def is_final(self) -> bool:
        """The Party committee's approval is recorded: the record no longer changes."""
        return self.party_approved_on is not None
