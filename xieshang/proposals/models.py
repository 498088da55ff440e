"""Proposals (提案): the reference app. States and legal moves are in workflow.py; every write in services.py."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xieshang.core import categories
from xieshang.core.models import Committee, HandlingUnit, Member, Organization, Session, SpecialCommittee


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("draft")  # the proposer is writing; only the proposer sees it
    COSIGNING = "cosigning", _("co-signing")  # invitations out until cosign_deadline
    SUBMITTED = "submitted", _("submitted")  # waiting for the office's review
    RETURNED = "returned", _("returned for revision")  # back with the proposer
    WITHDRAWN = "withdrawn", _("withdrawn")  # the proposer withdrew it (final)
    REGISTERED = "registered", _("registered")  # accepted, numbered, waiting for assignment
    MERGED = "merged", _("merged")  # merged into another proposal (final; answered through it)
    CONVERTED = "converted", _("converted")  # turned into a suggestion or opinion report (final)
    REJECTED = "rejected", _("not registered")  # not accepted, with a reason code (final)
    ASSIGNED = "assigned", _("assigned")  # handed to units, waiting for their acknowledgement
    HANDLING = "handling", _("handling")  # at least one unit is handling it
    REPLIED = "replied", _("replied")  # every unit of the round has replied; waiting for evaluation
    CLOSED = "closed", _("closed")  # evaluated (or evaluation time over) and closed
    ARCHIVED = "archived", _("archived")


# The groups of proposal states, declared once (the workflow, selectors, jobs and statistics use these).
S_ = ProposalState
PROPOSAL_LIVE = frozenset({S_.ASSIGNED, S_.HANDLING})  # with the units: reminders, urging, overdue
PROPOSAL_FINAL = frozenset({S_.WITHDRAWN, S_.MERGED, S_.CONVERTED, S_.REJECTED, S_.ARCHIVED})  # never left
# Registered and on: counted as handled in statistics, shown on the public site when published.
PROPOSAL_HANDLED = frozenset({S_.REGISTERED, S_.ASSIGNED, S_.HANDLING, S_.REPLIED, S_.CLOSED, S_.ARCHIVED})
# "To review": the office's review queue — the workbench to-do, the review page, the list's state filter and the
# statistics figure "to_review" count exactly these. "Under review" adds those returned to the proposer.
PROPOSAL_TO_REVIEW = frozenset({S_.SUBMITTED})
PROPOSAL_UNDER_REVIEW = PROPOSAL_TO_REVIEW | {S_.RETURNED}
# "Supervised": a key proposal is supervised while it is registered and not yet closed — the leader's to-do, the
# supervised page and the statistics figure "supervised" count these.
PROPOSAL_SUPERVISED = frozenset({S_.REGISTERED, S_.ASSIGNED, S_.HANDLING, S_.REPLIED})
del S_


class ProposalKind(models.TextChoices):
    SESSION = "session", _("session proposal")  # 大会提案
    INTERIM = "interim", _("interim proposal")  # 平时提案


class ProposerKind(models.TextChoices):
    MEMBER = "member", _("member")
    ORGANIZATION = "organization", _("party or group")
    SPECIAL_COMMITTEE = "special_committee", _("special committee")


Category = categories.Category  # the default list's codes; a committee's own list is data (core.categories)


class RejectReason(models.TextChoices):
    NOT_IN_SCOPE = "not_in_scope", _("outside the scope of proposals")
    NO_SUGGESTION = "no_suggestion", _("no concrete suggestion")
    DUPLICATE = "duplicate", _("duplicates another proposal")
    PERSONAL = "personal", _("a personal or private matter")
    LITIGATION = "litigation", _("a matter before the courts")
    OTHER = "other", _("other")


class ConvertTarget(models.TextChoices):
    SUGGESTION = "suggestion", _("suggestion")
    OPINION_REPORT = "opinion_report", _("opinion report")


PROPOSAL_MATERIAL = "material"  # the purpose of the files attached to a proposal among the core attachments


class Proposal(categories.Categorized, models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("committee"))
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("session"))
    kind = models.CharField(_("kind"), max_length=16, choices=ProposalKind.choices, default=ProposalKind.SESSION)
    state = models.CharField(_("state"), max_length=16, choices=ProposalState.choices, default=ProposalState.DRAFT, db_index=True)
    number = models.CharField(_("number"), max_length=24, null=True, blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)

    title = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    category = models.CharField(_("category"), max_length=16, default=Category.OTHER)  # a code of the committee's list
    suggested_units = models.CharField(_("suggested handling units"), max_length=300, blank=True)

    proposer_kind = models.CharField(_("proposer kind"), max_length=20, choices=ProposerKind.choices, default=ProposerKind.MEMBER)
    lead_proposer = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="led_proposals", verbose_name=_("lead proposer")
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("organization"))
    special_committee = models.ForeignKey(
        SpecialCommittee, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("special committee")
    )
    sector_name = models.CharField(_("sector"), max_length=60, blank=True)  # the lead proposer's sector when submitted
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_address = models.CharField(_("contact address"), max_length=120, blank=True)

    cosign_deadline = models.DateTimeField(_("co-signing deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    evaluation_due = models.DateField(_("evaluation due"), null=True, blank=True)

    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_proposals", verbose_name=_("merged into")
    )
    converted_to = models.CharField(_("converted to"), max_length=20, choices=ConvertTarget.choices, blank=True)
    reject_reason = models.CharField(_("reason"), max_length=20, choices=RejectReason.choices, blank=True)
    state_note = models.TextField(_("note"), blank=True)  # the reason given when returned, rejected, converted …

    is_key = models.BooleanField(_("key proposal"), default=False)
    supervising_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="supervised_proposals",
        verbose_name=_("supervising leader"),
    )
    is_excellent = models.BooleanField(_("excellent proposal"), default=False)
    is_public = models.BooleanField(_("public"), default=False)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic concurrency: every state change increments it; a write that names an older version loses.
    version = models.PositiveIntegerField(default=1)
    # A draft's idempotency key: a double-clicked "create" sends the same key and gets the same draft.
    client_key = models.CharField(max_length=64, null=True, blank=True)
    imported = models.BooleanField(_("imported"), default=False)
    # Files the proposers attach (survey material, photos, data): core Attachments of purpose
    # PROPOSAL_MATERIAL (services.proposal_attachment_add); no column of its own.
    attachments = GenericRelation("core.Attachment", content_type_field="content_type", object_id_field="object_id")
    # The proposal clue (提案线索) this draft was started from, if any (ProposalClue.proposals counts them).
    clue = models.ForeignKey(
        "ProposalClue", on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals",
        verbose_name=_("proposal clue"),
    )

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "number"], name="proposal_unique_number"),
            models.UniqueConstraint(fields=["session", "sequence"], name="proposal_unique_sequence"),
            models.UniqueConstraint(fields=["created_by", "client_key"], name="proposal_unique_client_key"),
            models.CheckConstraint(
                condition=~Q(state="merged") | Q(merged_into__isnull=False), name="proposal_merged_has_target"
            ),
            models.CheckConstraint(
                condition=~Q(proposer_kind="member") | Q(lead_proposer__isnull=False), name="proposal_member_has_lead"
            ),
        ]
        indexes = [
            models.Index(fields=["committee", "session", "state"]),
            models.Index(fields=["committee", "state", "-created_at"]),
            # the lists' default order (newest first) within a committee: no sort of the whole committee
            models.Index(fields=["committee", "-created_at", "-id"], name="proposal_committee_recent"),
            # every column of the lists' visibility test (state, own drafts): their COUNT(*) is an
            # index-only scan (152 → 23 ms on PostgreSQL for a committee of 100,000 proposals)
            models.Index(fields=["committee", "state", "created_by", "lead_proposer"], name="proposal_visibility"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title

    @property
    def proposer_name(self) -> str:
        if self.proposer_kind == ProposerKind.ORGANIZATION and self.organization_id:
            return self.organization.name
        if self.proposer_kind == ProposerKind.SPECIAL_COMMITTEE and self.special_committee_id:
            return self.special_committee.name
        return self.lead_proposer.name if self.lead_proposer_id else ""


class CoSigner(models.Model):
    """附议人: a member invited to co-sign (联名) before the deadline."""

    class State(models.TextChoices):
        INVITED = "invited", _("invited")
        SIGNED = "signed", _("signed")
        DECLINED = "declined", _("declined")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="cosigners")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="cosignatures", verbose_name=_("member"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.INVITED)
    invited_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("co-signer")
        verbose_name_plural = _("co-signers")
        constraints = [models.UniqueConstraint(fields=["proposal", "member"], name="cosigner_unique")]


class AssignmentRole(models.TextChoices):
    SOLE = "sole", _("sole")  # 单办
    LEAD = "lead", _("lead")  # 主办
    CO = "co", _("co-handling")  # 协办 (会办)
    SPLIT = "split", _("split")  # 分办


class AssignmentState(models.TextChoices):
    ASSIGNED = "assigned", _("to acknowledge")  # waiting for the unit to acknowledge or object
    OBJECTED = "objected", _("objected")  # the unit objected; waiting for the office to re-assign
    HANDLING = "handling", _("handling")
    REPLIED = "replied", _("replied")  # co units: views sent to the lead (their "reply")
    CANCELLED = "cancelled", _("cancelled")  # re-assigned away after an objection


# The groups of assignment states, declared once.
ASSIGNMENT_OPEN = (AssignmentState.ASSIGNED, AssignmentState.HANDLING)  # the unit owes a reply: deadlines run
ASSIGNMENT_PENDING = (AssignmentState.ASSIGNED, AssignmentState.OBJECTED, AssignmentState.HANDLING)  # not done


class Assignment(models.Model):
    """交办: one unit's share of one proposal. Spans re-handling rounds (`round` counts them)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(HandlingUnit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("handling unit"))
    role = models.CharField(_("role"), max_length=8, choices=AssignmentRole.choices)
    state = models.CharField(_("state"), max_length=12, choices=AssignmentState.choices, default=AssignmentState.ASSIGNED, db_index=True)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    assigned_at = models.DateTimeField(_("assigned at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    objection_due = models.DateField(_("objection possible until"))
    first_contact_due = models.DateField(_("first contact due"), null=True, blank=True)
    due_date = models.DateField(_("reply due"), db_index=True)
    original_due_date = models.DateField(_("original reply due"))
    views_due = models.DateField(_("views due"), null=True, blank=True)  # co units: views to the lead unit
    objection_reason = models.TextField(_("reason for objection"), blank=True)
    objected_at = models.DateTimeField(_("objected at"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("replaces")
    )  # the cancelled assignment this one re-assigns after an objection
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["proposal", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "unit"], condition=~Q(state="cancelled"), name="assignment_unique_active_unit"
            ),
            models.UniqueConstraint(
                fields=["proposal"], condition=Q(role="lead") & ~Q(state="cancelled"), name="assignment_one_lead"
            ),
        ]
        indexes = [models.Index(fields=["unit", "state", "due_date"])]

    def __str__(self) -> str:
        return f"{self.proposal} → {self.unit} ({self.get_role_display()})"

    @property
    def answers_proposer(self) -> bool:
        """Sole, lead and split units reply to the proposer; co units send their views to the lead."""
        return self.role != AssignmentRole.CO


class HandlingConsultation(models.Model):
    """办理协商 (面商): a unit's contact with the proposer."""

    class Form(models.TextChoices):
        MEETING = "meeting", _("face-to-face meeting")
        VISIT = "visit", _("site visit")
        PHONE = "phone", _("phone")
        ONLINE = "online", _("online")
        LETTER = "letter", _("letter")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="consultations")
    date = models.DateField(_("date"))
    form = models.CharField(_("form"), max_length=12, choices=Form.choices)
    summary = models.TextField(_("summary"))
    participants = models.CharField(_("participants"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("handling consultation")
        verbose_name_plural = _("handling consultations")
        ordering = ["date", "id"]


class CoUnitView(models.Model):
    """A co-handling unit's views sent to the lead unit (协办意见)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="co_views")
    round = models.PositiveSmallIntegerField(default=1)
    text = models.TextField(_("views"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("co-unit views")
        verbose_name_plural = _("co-unit views")
        constraints = [models.UniqueConstraint(fields=["assignment", "round"], name="counitview_one_per_round")]


class ExtensionRequest(models.Model):
    """延期: a unit asks for a later reply date; office staff approve or refuse."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extension_requests")
    requested_until = models.DateField(_("requested until"))
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(fields=["assignment"], condition=Q(state="pending"), name="extension_one_pending"),
        ]


class ReplyOutcome(models.TextChoices):
    ADOPTED = "adopted", _("A: solved or adopted")
    PLANNED = "planned", _("B: included in plans")
    EXPLAINED = "explained", _("C: explained, cannot be solved now")


REPLY_LETTER = "reply_letter"  # the purpose of a reply's uploaded letter among the core attachments


class Reply(models.Model):
    """答复: one unit's formal answer in one round, with its letter."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="replies")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="replies")
    round = models.PositiveSmallIntegerField(default=1)
    outcome = models.CharField(_("outcome"), max_length=12, choices=ReplyOutcome.choices)
    text = models.TextField(_("reply text"))
    # The uploaded letter is a core Attachment (purpose REPLY_LETTER, xieshang.core.attachments; migration
    # proposals/0008 moved the former FileField's files there): see `letter` below.
    attachments = GenericRelation("core.Attachment", content_type_field="content_type", object_id_field="object_id")
    signed_by = models.CharField(_("signed by"), max_length=40, blank=True)
    # 文号 of the letter as the unit numbers it (州农业农村局〔2026〕12号), printed on the reply letter
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replied_at = models.DateTimeField(_("replied at"))
    is_on_time = models.BooleanField(_("on time"), default=True)
    is_public = models.BooleanField(_("public"), default=False)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "round"], name="reply_one_per_unit_round")]

    @property
    def letter_attachment(self):
        """The uploaded reply letter (the latest Attachment of purpose REPLY_LETTER), or None. Reads the
        prefetched attachments when the query prefetched "attachments" (no query per reply)."""
        letters = [a for a in self.attachments.all() if a.purpose == REPLY_LETTER]
        return max(letters, key=lambda a: a.pk) if letters else None

    @property
    def letter(self):
        """The uploaded letter's file (a FieldFile), or None: what the former FileField `letter` gave."""
        attachment = self.letter_attachment
        return attachment.file if attachment is not None else None



class EvaluationVerdict(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("basically satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")


class Evaluation(models.Model):
    """评价: the lead proposer's verdict on one reply."""

    reply = models.OneToOneField(Reply, on_delete=models.CASCADE, related_name="evaluation")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="evaluations")
    verdict = models.CharField(_("verdict"), max_length=20, choices=EvaluationVerdict.choices)
    comment = models.TextField(_("comment"), blank=True)
    # The answers to the committee's sub-verdict questions (EvaluationQuestion, or the defaults), as given:
    # [{"key", "question", "answer", "label"}] — the question's and the answer's text are kept, so a later
    # change of the committee's questions leaves past evaluations readable.
    answers = models.JSONField(_("sub-verdicts"), default=list, blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    evaluated_at = models.DateTimeField()
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)  # the proposer's last correction

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")


class EvaluationQuestion(models.Model):
    """评价分项: one sub-verdict question of a committee's evaluation form (办理态度, 办理结果 …), with the
    answers offered. A committee without rows asks the defaults (selectors.evaluation_questions)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="evaluation_questions")
    position = models.PositiveSmallIntegerField(_("position"))
    label = models.CharField(_("question"), max_length=100)
    options = models.JSONField(_("answers offered"), default=list)  # [text, …]

    class Meta:
        verbose_name = _("evaluation question")
        verbose_name_plural = _("evaluation questions")
        ordering = ["committee", "position"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "position"], name="evaluation_question_unique_position"),
        ]

    def __str__(self) -> str:
        return self.label


class Rehandling(models.Model):
    """重新办理: the office's decision to have a proposal handled again after dissatisfaction — the
    instructions for the units and the new reply due date (from the committee's timer proposal.rehandle_reply)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="rehandlings")
    round = models.PositiveSmallIntegerField(_("round"))
    instructions = models.TextField(_("instructions"))
    due_date = models.DateField(_("reply due"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("re-handling")
        verbose_name_plural = _("re-handlings")
        ordering = ["proposal", "round"]
        constraints = [models.UniqueConstraint(fields=["proposal", "round"], name="rehandling_one_per_round")]


class Supervision(models.Model):
    """督办: a leader's instruction on a key proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supervisions")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("instruction"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")
        ordering = ["created_at"]


# --- Proposal clues (提案线索) and the calls for them (线索征集) ---------------------------------------------


class ClueCallState(models.TextChoices):
    DRAFT = "draft", _("not published")  # being written by the office; nobody else sees it
    OPEN = "open", _("open")  # published: members and the public suggest clues
    CLOSED = "closed", _("closed")  # no more suggestions; accepted clues stay listed


class ClueCall(models.Model):
    """线索征集: the office's call for proposal topics before a plenary session, for one committee and session."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+", verbose_name=_("committee"))
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="+", verbose_name=_("session"))
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"), blank=True)
    opens_on = models.DateField(_("open from"))
    closes_on = models.DateField(_("open until"))
    state = models.CharField(_("state"), max_length=8, choices=ClueCallState.choices, default=ClueCallState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("call for proposal clues")
        verbose_name_plural = _("calls for proposal clues")
        ordering = ["-opens_on", "-id"]
        indexes = [models.Index(fields=["committee", "state", "-opens_on"], name="cluecall_committee_state")]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="cluecall_closes_after_opening"),
            models.CheckConstraint(condition=Q(state__in=["draft", "open", "closed"]), name="cluecall_state_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class ClueState(models.TextChoices):
    SUBMITTED = "submitted", _("to review")  # suggested; waiting for the office
    ACCEPTED = "accepted", _("accepted as clue")  # listed to members, who may start a proposal from it
    DECLINED = "declined", _("declined")  # not taken up (final)
    DUPLICATE = "duplicate", _("duplicate")  # the same as another clue (final; `duplicate_of`)


class ClueSource(models.TextChoices):
    MEMBER = "member", _("member")  # a signed-in member (or office staff on someone's behalf)
    PUBLIC = "public", _("the public")  # the public portal, no account


CLUE_TITLE_LIMIT = 100
CLUE_TEXT_LIMIT = 2000


class ProposalClue(categories.Categorized, models.Model):
    """提案线索: a suggested topic for a proposal, from a member or the public; reviewed by the office."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+", verbose_name=_("committee"))
    call = models.ForeignKey(
        ClueCall, on_delete=models.PROTECT, null=True, blank=True, related_name="clues", verbose_name=_("call")
    )
    source = models.CharField(_("source"), max_length=8, choices=ClueSource.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )  # None: the public portal
    name = models.CharField(_("name"), max_length=40, blank=True)
    contact = models.CharField(_("contact"), max_length=60, blank=True)
    title = models.CharField(_("subject"), max_length=CLUE_TITLE_LIMIT)
    text = models.TextField(_("text"))
    category = models.CharField(_("category"), max_length=16, default=Category.OTHER)  # a code of the committee's list
    state = models.CharField(_("state"), max_length=10, choices=ClueState.choices, default=ClueState.SUBMITTED, db_index=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("duplicate of")
    )
    review_note = models.TextField(_("note"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("proposal clue")
        verbose_name_plural = _("proposal clues")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["committee", "state", "-created_at"], name="clue_committee_state")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="duplicate") | Q(duplicate_of__isnull=False), name="clue_duplicate_has_target"
            ),
            models.CheckConstraint(
                condition=~Q(source="member") | Q(submitted_by__isnull=False), name="clue_member_has_user"
            ),
        ]

    def __str__(self) -> str:
        return self.title
