"""What the text engine suggested at a decision and what the person chose (issue #16): the acceptance rate."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xieshang.core.models import Committee


class SuggestionKind(models.TextChoices):
    PROPOSAL_CATEGORY = "proposal.category", _("category of proposals")
    PROPOSAL_UNITS = "proposal.units", _("handling units of proposals")
    OPINION_CATEGORY = "opinion.category", _("category of opinion reports")
    DEMAND_CATEGORY = "demand.category", _("category of demands")
    DEMAND_UNIT = "demand.unit", _("handling unit of demands")


class TextSuggestion(models.Model):
    """One decision for which a suggestion was offered: the ranked suggestion (codes or unit ids, best first)
    and what was chosen. `accepted`: the first suggested is the first chosen and everything chosen was
    suggested (a category: the chosen one is the first suggested)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+", verbose_name=_("committee"))
    kind = models.CharField(_("kind"), max_length=24, choices=SuggestionKind.choices)
    object_id = models.PositiveBigIntegerField()
    suggested = models.JSONField(default=list)  # [{"value", "score"}], best first
    chosen = models.JSONField(default=list)  # [value], the first is the category / the lead unit
    accepted = models.BooleanField(pgettext_lazy("text suggestion", "accepted"), default=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("text suggestion")
        verbose_name_plural = _("text suggestions")
        indexes = [models.Index(fields=["committee", "kind", "at"], name="textsuggestion_committee_kind")]
        constraints = [models.UniqueConstraint(fields=["committee", "kind", "object_id"], name="textsuggestion_one_per_decision")]

    def __str__(self):
        return f"{self.kind} #{self.object_id}"
