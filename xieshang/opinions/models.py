"""Opinion reports (社情民意信息): the second app, built on the kernel (core.workflow, core.deadlines …).

States, their groups and the legal moves are in workflow.py; every write is in services.py; every read
that depends on who asks is in selectors.py.

The text of a report is three parts — situation (情况), analysis (分析) and suggestion (建议) — with at
most `TEXT_LIMIT` characters together (title not counted). `body` is the full text (the non-empty parts
separated by a blank line); an input that gives only `body` (the API's `{"title", "body"}`) stores the
whole text as the situation and leaves the other two parts empty.

Numbers: a report gets its `number` (收稿编号, per committee and `year`) when it is first submitted (a
combined report when it is made); the bulletin issue (《社情民意》第 N 期) has its own number per committee
and year, assigned when a report is forwarded.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xieshang.core import categories
from xieshang.core.models import Committee, LiaisonStation, Member, Organization, SpecialCommittee

TEXT_LIMIT = 1500  # characters of situation + analysis + suggestion
TITLE_LIMIT = 100


class OpinionState(models.TextChoices):
    DRAFT = "draft", _("draft")  # the submitter is writing; only the submitter sees it
    SUBMITTED = "submitted", _("submitted")  # waiting for the office
    RETURNED = "returned", _("returned for more information")  # back with the submitter
    EDITING = "editing", _("being edited")  # the office is editing it
    AWAITING_APPROVAL = "awaiting_approval", _("awaiting approval")  # with a leader for signing (签发)
    APPROVED = "approved", pgettext_lazy("opinion", "approved")  # signed by a leader, waiting to be forwarded
    FORWARDED = "forwarded", _("forwarded")  # sent (报送) in a bulletin issue; adoptions and instructions follow
    CLOSED = "closed", _("closed")  # follow-up finished (adoptions and instructions may still be recorded)
    COMBINED = "combined", _("combined")  # absorbed into a combined report (final; followed through it)
    DECLINED = "declined", _("not used")  # the office will not use it, with a reason (final)
    WITHDRAWN = "withdrawn", pgettext_lazy("opinion", "withdrawn")  # the submitter withdrew it (final)


class SubmitterKind(models.TextChoices):
    MEMBER = "member", _("member")
    ORGANIZATION = "organization", _("party or group")
    SPECIAL_COMMITTEE = "special_committee", _("special committee")
    STATION = "station", _("liaison station")


class Level(models.TextChoices):
    """The level of a recipient, an adoption or an instruction (州 / 自治区 / 全国)."""

    PREFECTURE = "prefecture", _("prefecture")
    PROVINCE = "province", _("province or autonomous region")
    NATIONAL = "national", _("national")


# The default list's codes; each committee's own list is data (core.categories).
OpinionCategory = categories.Category


class Commission(models.Model):
    """约稿: a call for reports on a topic with a due date; members answer with reports (`OpinionReport.commission`)."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+", verbose_name=_("committee"))
    topic = models.CharField(_("topic"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    due_on = models.DateField(_("due on"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("commissioned topic")
        verbose_name_plural = _("commissioned topics")
        ordering = ["-due_on", "-id"]
        indexes = [models.Index(fields=["committee", "state", "-due_on"])]

    def __str__(self) -> str:
        return self.topic


class Recipient(models.Model):
    """报送对象: a body reports are forwarded to (州委, 州政府, 上级政协 …), configured per committee."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+", verbose_name=_("committee"))
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.PREFECTURE)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("opinion", "recipient")
        verbose_name_plural = _("recipients")
        ordering = ["committee", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="opinion_recipient_unique_name")]

    def __str__(self) -> str:
        return self.name


class Bulletin(models.Model):
    """《社情民意》第 N 期: a numbered issue of the committee's bulletin in which approved reports are forwarded.

    Its reports are the reports whose `bulletin` is this issue; its recipients are the recipients the
    reports were forwarded to in it (Forwarding rows; also kept in `recipients` for the document)."""

    class Kind(models.TextChoices):
        SPECIAL = "special", _("special report")  # 专报
        COMBINED = "combined", _("combined report")  # 综合

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+", verbose_name=_("committee"))
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("issue number"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SPECIAL)
    title = models.CharField(_("title"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("signed by")
    )
    signed_by_name = models.CharField(_("signed by"), max_length=40, blank=True)  # 签发人 as printed
    recipients = models.ManyToManyField(Recipient, blank=True, related_name="bulletins", verbose_name=_("recipients"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bulletin issue")
        verbose_name_plural = _("bulletin issues")
        ordering = ["-year", "-number"]
        constraints = [models.UniqueConstraint(fields=["committee", "year", "number"], name="opinion_bulletin_unique_number")]

    def __str__(self) -> str:
        return f"{self.year}-{self.number}"


class OpinionReport(categories.Categorized, models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee"))
    year = models.PositiveSmallIntegerField(_("year"))  # of creation; of submission once submitted
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)  # per committee and year, at submission
    state = models.CharField(
        _("state"), max_length=20, choices=OpinionState.choices, default=OpinionState.DRAFT, db_index=True
    )

    title = models.CharField(_("title"), max_length=TITLE_LIMIT)
    situation = models.TextField(_("situation"), blank=True)
    analysis = models.TextField(_("analysis"), blank=True)
    suggestion = models.TextField(_("suggestion"), blank=True)
    category = models.CharField(_("category"), max_length=16, default=OpinionCategory.OTHER)  # a code of the committee's list

    submitter_kind = models.CharField(
        _("submitter kind"), max_length=20, choices=SubmitterKind.choices, default=SubmitterKind.MEMBER
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="opinion_reports", verbose_name=_("member")
    )  # the first author when submitted by a member
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("organization")
    )
    special_committee = models.ForeignKey(
        SpecialCommittee, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("special committee"),
    )
    liaison_station = models.ForeignKey(
        LiaisonStation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("liaison station")
    )  # a station keeper's report (from a citizen's demand): the keeper's station
    commission = models.ForeignKey(
        Commission, on_delete=models.PROTECT, null=True, blank=True, related_name="answers", verbose_name=_("commissioned topic")
    )
    combined_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="combined_reports", verbose_name=_("combined into")
    )
    is_combined = models.BooleanField(_("combined report"), default=False)  # made by combining other reports
    bulletin = models.ForeignKey(
        Bulletin, on_delete=models.PROTECT, null=True, blank=True, related_name="reports", verbose_name=_("bulletin issue")
    )

    decline_reason = models.TextField(_("reason for not using it"), blank=True)
    return_reason = models.TextField(_("what is missing"), blank=True)

    # The office's editing claim: the staff member at work on it (combine refuses a report another holds).
    editing_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("being edited by"),
    )
    editing_since = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Optimistic concurrency: every change increments it; a write naming an older version loses (409).
    version = models.PositiveIntegerField(default=1)
    # The number of the latest kept text version (OpinionVersion.number; 0 before the first submission).
    text_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("opinion report")
        verbose_name_plural = _("opinion reports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "number"], name="opinion_unique_number"),
            models.CheckConstraint(
                condition=~Q(state="combined") | Q(combined_into__isnull=False), name="opinion_combined_has_target"
            ),
            models.CheckConstraint(
                condition=~Q(submitter_kind="organization") | Q(organization__isnull=False),
                name="opinion_organization_named",
            ),
            models.CheckConstraint(
                condition=~Q(submitter_kind="special_committee") | Q(special_committee__isnull=False),
                name="opinion_special_committee_named",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "withdrawn"]) | Q(submitted_at__isnull=False),
                name="opinion_submitted_at_set",
            ),
        ]
        indexes = [
            models.Index(fields=["committee", "state", "-created_at"], name="opinion_committee_state"),
            models.Index(fields=["committee", "-created_at", "-id"], name="opinion_committee_recent"),
            models.Index(fields=["committee", "year", "state"], name="opinion_committee_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.number} {self.title}" if self.number else self.title

    @property
    def body(self) -> str:
        """The full text: the non-empty parts separated by a blank line."""
        return join_parts(self.situation, self.analysis, self.suggestion)

    @property
    def text_length(self) -> int:
        return text_length(self.situation, self.analysis, self.suggestion)


def join_parts(*parts: str) -> str:
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def text_length(*parts: str) -> int:
    """The characters counted against TEXT_LIMIT (the parts' text without surrounding blanks)."""
    return sum(len(p.strip()) for p in parts if p)


class OpinionAuthor(models.Model):
    """A submitter of a report, in order (the first is the lead). A combined report's authors are the
    authors of the reports combined into it. `user` is always set (the person told of each outcome);
    `member` when the author is a member (the duty ledger credits members)."""

    report = models.ForeignKey(OpinionReport, on_delete=models.CASCADE, related_name="authors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user"))
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="opinion_authorships", verbose_name=_("member")
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = pgettext_lazy("opinion", "authors")
        ordering = ["report", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="opinion_author_unique")]
        indexes = [models.Index(fields=["user", "report"], name="opinion_author_user")]


class OpinionVersion(models.Model):
    """One kept text of a report: the submitter's (number 1, and each resubmission) and each staff edit."""

    report = models.ForeignKey(OpinionReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=TITLE_LIMIT)
    situation = models.TextField(_("situation"), blank=True)
    analysis = models.TextField(_("analysis"), blank=True)
    suggestion = models.TextField(_("suggestion"), blank=True)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_staff_edit = models.BooleanField(default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("text version")
        verbose_name_plural = _("text versions")
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="opinion_version_unique")]

    @property
    def body(self) -> str:
        return join_parts(self.situation, self.analysis, self.suggestion)


class Forwarding(models.Model):
    """报送: one report sent to one recipient in one bulletin issue."""

    report = models.ForeignKey(OpinionReport, on_delete=models.CASCADE, related_name="forwardings")
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="forwardings", verbose_name=pgettext_lazy("opinion", "recipient"))
    bulletin = models.ForeignKey(Bulletin, on_delete=models.PROTECT, related_name="forwardings", verbose_name=_("bulletin issue"))
    forwarded_on = models.DateField(_("forwarded on"))

    class Meta:
        verbose_name = _("forwarding")
        verbose_name_plural = _("forwardings")
        ordering = ["report", "recipient__sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "recipient"], name="opinion_forwarding_unique")]


class Adoption(models.Model):
    """采用: a recipient's use of a report, once per (report, recipient, level)."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("single adoption")  # 单篇
        COMBINED = "combined", _("combined adoption")  # 综合

    class Manner(models.TextChoices):
        ADOPTED = "adopted", _("adopted")  # 采用
        TRANSFERRED = "transferred", _("transferred")  # 转送
        EXCERPTED = "excerpted", _("excerpted")  # 摘报

    report = models.ForeignKey(OpinionReport, on_delete=models.CASCADE, related_name="adoptions")
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="adoptions", verbose_name=pgettext_lazy("opinion", "recipient"))
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    manner = models.CharField(_("manner"), max_length=12, choices=Manner.choices, default=Manner.ADOPTED)
    adopted_on = models.DateField(_("adopted on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        ordering = ["report", "adopted_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "recipient", "level"], name="opinion_adoption_unique"),
        ]


class Instruction(models.Model):
    """领导批示: a leader's written instruction on a forwarded report."""

    report = models.ForeignKey(OpinionReport, on_delete=models.CASCADE, related_name="instructions")
    leader_name = models.CharField(_("leader"), max_length=40)
    leader_title = models.CharField(_("leader's post"), max_length=60, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    date = models.DateField(_("date"))
    text = models.TextField(_("instruction"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        ordering = ["report", "date", "id"]
