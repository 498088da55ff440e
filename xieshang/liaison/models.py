"""The line to the Party committee (请示报告, 制度, 交办任务, 联系走访).

- PartyReport (请示报告): a report to the Party committee, immediate / periodic / special (及时报 / 定期报 /
  专项报), drafted by the office, approved by a leader (the chair or a vice-chair), sent with a document
  number, answered by the Party committee's instruction (批示).
- WorkingRule (制度) and its RuleVersion rows: version 1 is the rule as made, every later one a revision; the
  text of each version is a core attachment on the version.
- AssignedTask (交办任务) from the Party committee: owned by a special committee or the office, due on a date
  kept as a core Deadline ("task.due"), with TaskNote progress notes.
- ContactVisit (联系走访) by a leader, with the VisitedPerson rows (one per person or body met: the statistics
  count people by kind) and the Suggestion rows brought back; a suggestion is turned, with one action, into a
  citizen's demand, a proposal draft, an opinion report draft or an assigned task, and linked to it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xieshang.core.models import Committee, Member, SpecialCommittee

TITLE_LIMIT = 120
REPORT_LIMIT = 20_000
INSTRUCTION_LIMIT = 4_000
NOTE_LIMIT = 2_000
HEARD_LIMIT = 4_000
SUGGESTION_LIMIT = 1_500
TASK_LIMIT = 4_000
NAME_LIMIT = 60


class ReportKind(models.TextChoices):
    IMMEDIATE = "immediate", _("immediate report on an important matter")  # 重要事项及时报
    PERIODIC = "periodic", _("periodic report on work in progress")  # 工作进展定期报
    SPECIAL = "special", _("special report on important advice")  # 重要建言专项报


class ReportState(models.TextChoices):
    DRAFT = "draft", _("draft")  # the office writes it
    SUBMITTED = "submitted", _("awaiting approval")  # with the leaders for approval
    RETURNED = "returned", _("returned for revision")  # a leader sent it back with a reason
    APPROVED = "approved", _("approved")  # signed off by a leader, to be sent
    SENT = "sent", _("sent")  # sent to the Party committee under a document number
    ANSWERED = "answered", _("answered")  # the Party committee's instruction is recorded
    WITHDRAWN = "withdrawn", _("withdrawn")  # dropped before it was sent


class PartyReport(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+", verbose_name=_("committee"))
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))  # the register's sequence within the year
    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_LIMIT)
    body = models.TextField(_("text"), max_length=REPORT_LIMIT)
    state = models.CharField(_("state"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True, max_length=NOTE_LIMIT)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    document_number = models.CharField(_("document number"), max_length=40, blank=True)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    instruction_by = models.CharField(_("instruction given by"), max_length=NAME_LIMIT, blank=True)
    instruction_on = models.DateField(_("instruction date"), null=True, blank=True)
    instruction = models.TextField(_("instruction"), blank=True, max_length=INSTRUCTION_LIMIT)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("report to the Party committee")
        verbose_name_plural = _("reports to the Party committee")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "number"], name="partyreport_unique_number"),
            models.CheckConstraint(
                condition=~Q(state__in=["sent", "answered"]) | (~Q(document_number="") & Q(sent_on__isnull=False)),
                name="partyreport_sent_has_number"),
            models.CheckConstraint(
                condition=~Q(state="answered") | Q(instruction_on__isnull=False),
                name="partyreport_answered_has_date"),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "sent", "answered"]) | Q(approved_on__isnull=False),
                name="partyreport_approved_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.number:03d} {self.title}"

    @property
    def register_number(self) -> str:
        return f"{self.year}-{self.number:03d}"


class WorkingRule(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+", verbose_name=_("committee"))
    title = models.CharField(_("title"), max_length=TITLE_LIMIT)
    adopted_by = models.CharField(_("adopted by"), max_length=NAME_LIMIT)  # the meeting that made it
    adopted_on = models.DateField(_("adopted on"))
    revised_on = models.DateField(_("last revised on"), null=True, blank=True)
    is_active = models.BooleanField(_("in force"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("working rule")
        verbose_name_plural = _("working rules")
        ordering = ["-adopted_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["committee", "title"], name="workingrule_unique_title")]

    def __str__(self) -> str:
        return self.title


class RuleVersion(models.Model):
    """Version 1: the rule as made; 2, 3 …: its revisions. The text is a core attachment on the version."""

    rule = models.ForeignKey(WorkingRule, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    date = models.DateField(_("date"))
    meeting = models.CharField(_("meeting"), max_length=NAME_LIMIT)
    note = models.TextField(_("note"), blank=True, max_length=NOTE_LIMIT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        ordering = ["rule", "number"]
        constraints = [models.UniqueConstraint(fields=["rule", "number"], name="ruleversion_unique_number")]

    @property
    def committee_id(self):
        return self.rule.committee_id

    @property
    def is_revision(self) -> bool:
        return self.number > 1


class TaskState(models.TextChoices):
    OPEN = "open", _("assigned")  # received, not yet reported on
    IN_PROGRESS = "in_progress", _("in progress")  # progress notes recorded
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class OwnerKind(models.TextChoices):
    OFFICE = "office", _("the office")
    SPECIAL_COMMITTEE = "special_committee", _("a special committee")


class AssignedTask(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+", verbose_name=_("committee"))
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=TITLE_LIMIT)
    source_document = models.CharField(_("source document"), max_length=NAME_LIMIT * 2)
    content = models.TextField(_("content"), max_length=TASK_LIMIT)
    owner_kind = models.CharField(_("owner"), max_length=20, choices=OwnerKind.choices, default=OwnerKind.OFFICE)
    special_committee = models.ForeignKey(SpecialCommittee, on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+", verbose_name=_("special committee"))
    assigned_on = models.DateField(_("assigned on"))
    due_on = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=16, choices=TaskState.choices, default=TaskState.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True, max_length=NOTE_LIMIT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("assigned task")
        verbose_name_plural = _("assigned tasks")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "number"], name="assignedtask_unique_number"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("assigned_on")), name="assignedtask_due_after"),
            models.CheckConstraint(
                condition=(Q(owner_kind="office", special_committee__isnull=True)
                           | Q(owner_kind="special_committee", special_committee__isnull=False)),
                name="assignedtask_owner"),
            models.CheckConstraint(condition=~Q(state="done") | Q(done_on__isnull=False), name="assignedtask_done_on"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_name(self) -> str:
        return self.special_committee.name if self.special_committee_id else str(OwnerKind.OFFICE.label)


class TaskNote(models.Model):
    task = models.ForeignKey(AssignedTask, on_delete=models.CASCADE, related_name="notes")
    date = models.DateField(_("date"))
    text = models.TextField(_("progress"), max_length=NOTE_LIMIT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["task", "date", "id"]


class PersonKind(models.TextChoices):
    ENTREPRENEUR = "entrepreneur", _("entrepreneur")  # 经济企业界代表人士
    EXPERT = "expert", _("expert")  # 专家人才
    MEMBER = "member", _("member")  # 政协委员
    GRASSROOTS_WORKER = "grassroots_worker", _("grassroots worker")  # 基层干部
    ENTERPRISE = "enterprise", _("enterprise")  # 企业 (a body)
    VILLAGE = "village", _("village or community")  # 村 (社区)
    OTHER = "other", _("other")


class ContactVisit(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+", verbose_name=_("committee"))
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("leader"))
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=NAME_LIMIT * 2)
    subject = models.CharField(_("subject"), max_length=TITLE_LIMIT)
    heard = models.TextField(_("what was heard"), blank=True, max_length=HEARD_LIMIT)
    companions = models.ManyToManyField(Member, blank=True, related_name="+", verbose_name=_("members accompanying"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("contact visit")
        verbose_name_plural = _("contact visits")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.subject


class VisitedPerson(models.Model):
    """One person (or body) met on a visit: the statistics count these by kind."""

    visit = models.ForeignKey(ContactVisit, on_delete=models.CASCADE, related_name="people")
    kind = models.CharField(_("kind"), max_length=20, choices=PersonKind.choices)
    name = models.CharField(_("name"), max_length=NAME_LIMIT)
    affiliation = models.CharField(_("organisation and post"), max_length=NAME_LIMIT * 2, blank=True)

    class Meta:
        ordering = ["visit", "id"]


class SuggestionState(models.TextChoices):
    OPEN = "open", _("to follow up")  # recorded, not yet turned into anything
    CONVERTED = "converted", _("followed up")  # turned into a demand, a draft or a task
    NOTED = "noted", _("noted")  # kept for reference, no follow-up


class TargetKind(models.TextChoices):
    DEMAND = "demand", _("citizen's demand")
    PROPOSAL = "proposal", _("proposal draft")
    OPINION = "opinion", _("opinion report draft")
    TASK = "task", _("assigned task")


class Suggestion(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+", verbose_name=_("committee"))
    visit = models.ForeignKey(ContactVisit, on_delete=models.CASCADE, related_name="suggestions")
    text = models.TextField(_("suggestion"), max_length=SUGGESTION_LIMIT)
    state = models.CharField(_("state"), max_length=16, choices=SuggestionState.choices, default=SuggestionState.OPEN)
    target_kind = models.CharField(_("turned into"), max_length=16, choices=TargetKind.choices, blank=True)
    demand = models.ForeignKey("grassroots.Demand", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    opinion = models.ForeignKey("opinions.OpinionReport", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    task = models.ForeignKey(AssignedTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestions")
    converted_on = models.DateField(_("followed up on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=NOTE_LIMIT)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("suggestion from a visit")
        verbose_name_plural = _("suggestions from visits")
        ordering = ["visit", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(state="converted") | ~Q(target_kind=""), name="suggestion_target"),
        ]

    def __str__(self) -> str:
        return self.text[:40]
