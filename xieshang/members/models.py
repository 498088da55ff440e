"""The members app's tables: a committee's duty scoring rules per year (DutyRuleSet)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xieshang.core.models import CommitteeScoped

YEAR_MIN, YEAR_MAX = 2000, 2100


class DutyRuleSet(CommitteeScoped):
    """履职量化考核办法: a committee's scoring rules for one year, as the JSON form of rules.py (checked by
    `rules.parse` before it is stored). Written only by services.duty_rules_put; `version` counts the edits
    (optimistic concurrency: an edit naming an older version is refused)."""

    year = models.PositiveSmallIntegerField(_("year"))
    document = models.JSONField(_("rules"), default=dict)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("duty scoring rules")
        verbose_name_plural = _("duty scoring rules")
        ordering = ["committee", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year"], name="dutyruleset_one_per_year"),
            models.CheckConstraint(condition=models.Q(year__gte=YEAR_MIN, year__lte=YEAR_MAX),
                                   name="dutyruleset_year_range"),
        ]

    def __str__(self) -> str:
        return f"{_('duty scoring rules')} {self.year}"


class ManualFact(CommitteeScoped):
    """补录: a duty fact the platform could not know (a media interview, a charity act, a commendation …), added
    by office staff with a reason (and maybe an attachment, core.attachments). It is the object of its ledger
    fact `members.manual.<kind>` (core.duty), which rules.LEDGER_MAP counts as `<kind>` of the vocabulary; the
    record shows it as added by hand. Written only by services.manual_fact_add."""

    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("member"))
    kind = models.CharField(_("kind"), max_length=40)
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2, default=1)
    occurred_on = models.DateField(_("date"))
    note = models.CharField(_("reason"), max_length=500)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("added by"))
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("fact added by hand")
        verbose_name_plural = _("facts added by hand")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        from .rules import kind_label

        return f"{_('added by hand')}: {kind_label(self.kind)}"


class FactQuery(CommitteeScoped):
    """质疑: a member's short note to the office about one fact of their record (the fact's kind, object and
    date are kept as text: a ledger row may be re-recorded or removed), and the office's answer. Written by
    services.fact_query_add and services.fact_query_answer."""

    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("member"))
    fact = models.ForeignKey("core.DutyFact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("fact"))
    about = models.CharField(_("fact"), max_length=300)
    note = models.CharField(_("note"), max_length=500)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("asked by"))
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answer = models.CharField(_("answer"), max_length=500, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("query about a fact")
        verbose_name_plural = _("queries about facts")
        ordering = ["-asked_at", "-id"]

    def __str__(self) -> str:
        return self.about


class ScoreAdjustment(CommitteeScoped):
    """A leader's adjustment of a member's score of a year (points, positive or negative, with a reason): added
    to the computed total and shown as such. Written by services.score_adjust."""

    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("member"))
    year = models.PositiveSmallIntegerField(_("year"))
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=500)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("made by"))
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        verbose_name = _("score adjustment")
        verbose_name_plural = _("score adjustments")
        ordering = ["member", "year", "id"]
        indexes = [models.Index(fields=["committee", "year"])]

    def __str__(self) -> str:
        return f"{self.year} {self.points:+}"


class AlertSetting(CommitteeScoped):
    """The committee's date of a year by which every member should have submitted a proposal or an opinion report
    (the alerts list names those who have not, from that date on). Written by services.alert_setting_put."""

    year = models.PositiveSmallIntegerField(_("year"))
    output_due = models.DateField(_("proposal or report due by"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"))

    class Meta:
        verbose_name = _("duty alert setting")
        verbose_name_plural = _("duty alert settings")
        constraints = [models.UniqueConstraint(fields=["committee", "year"], name="alertsetting_one_per_year")]

    def __str__(self) -> str:
        return f"{self.year}: {self.output_due}"


class ProcedureStep(CommitteeScoped):
    """One step of the non-performance procedure for a member (谈话提醒 → 通报 → 劝辞), with its date and a note;
    each step needs the one before it in the same year. Written by services.procedure_record (audited)."""

    class Step(models.TextChoices):
        TALK = "talk", _("talk and reminder (谈话提醒)")
        NOTICE = "notice", _("circulated notice (通报)")
        RESIGN = "resign", _("advised to resign (劝辞)")

    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("member"))
    year = models.PositiveSmallIntegerField(_("year"))
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    taken_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("non-performance procedure step")
        verbose_name_plural = _("non-performance procedure steps")
        ordering = ["member", "year", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "year", "step"], name="procedurestep_once")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_step_display()}"


class Course(CommitteeScoped):
    """学习培训: a course or study session of the committee (title, date, hours). Members are enrolled (by the
    office, or enrol themselves before the day); the office records who attended, and each attendee gets the
    ledger fact `members.training` (counted as `training`) with the course as its object and the course's
    half-days as its quantity (4 hours a half-day). Written by services.course_save / enrolment / attendance."""

    class Kind(models.TextChoices):
        COURSE = "course", _("training course")
        STUDY = "study", _("study session")

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COURSE)
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    place = models.CharField(_("place"), max_length=120, blank=True)
    attendance_taken = models.BooleanField(_("attendance recorded"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("course"))
    member = models.ForeignKey("core.Member", on_delete=models.CASCADE, related_name="+", verbose_name=_("member"))
    attended = models.BooleanField(_("attended"), null=True, blank=True)  # None: not recorded yet
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["course", "member__name", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "member"], name="enrolment_once")]

    def __str__(self) -> str:
        return f"{self.course} · {self.member}"
