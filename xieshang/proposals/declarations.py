"""What proposals declare to core (xieshang.core.registry): read by ProposalsConfig.declare()."""

from django.utils.translation import gettext_lazy as _

from xieshang.core.deadlines import DeadlineKind
from xieshang.core.search import SearchKind

# Duty ledger kinds (xieshang.core.duty; written by xieshang.proposals.duty). Every fact of these kinds is about
# a registered (立案) proposal: "registered" is not a kind of its own but the moment lead and co-signer facts are
# written, so a proposal that was never registered gives nobody credit.
DUTY_KINDS = {
    "proposal.lead": _("first proposer of a registered proposal"),
    "proposal.cosigner": _("co-signer of a registered proposal"),
    "proposal.key": _("key proposal"),
    "proposal.excellent": _("excellent proposal"),
}

# The text search index (xieshang.core.search): what text of a proposal is searched is in search.py.
SEARCH_KINDS = {
    "proposal": SearchKind(builder="xieshang.proposals.search.documents", model="proposals.Proposal", plural="proposals"),
}

# Deadlines (xieshang.core.deadlines): a unit's deadlines have the party "assignment:<id>", the proposer's
# evaluation none. The rows follow the proposals' own columns through deadlines.sync_proposals; the reminder
# job (core.deadlines) sends what tasks.py used to: before (proposal.remind_before ahead), on the day and
# weekly after for the units; once before the evaluation due date for the proposer.
_D = "xieshang.proposals.deadlines."
_UNIT = {"remind_timer": "proposal.remind_before", "on_the_day": True, "overdue_every": 7,
         "recipients": _D + "recipients", "url": _D + "url", "subject": _D + "subject", "refresh": _D + "sync_stale"}
DEADLINE_KINDS = (
    DeadlineKind(
        name="proposal.objection", label=_("objection to an assignment"), timer="proposal.objection",
        remind=False, overdue_notice=False, remind_timer="proposal.remind_before", refresh=_D + "sync_stale",
    ),
    DeadlineKind(
        name="proposal.first_contact", label=_("first contact with the proposer"), timer="proposal.first_contact",
        prepare=_D + "prepare_first_contact", dedupe_key=_D + "dedupe_first_contact",
        notification_kind="proposal.first_contact_reminder",
        messages={
            "before": _("Contact the proposer by %(date)s: %(title)s"),
            "due": _("Contact the proposer today (%(date)s): %(title)s"),
            "overdue": _("The first contact with the proposer was due on %(date)s: %(title)s"),
        },
        **_UNIT,
    ),
    DeadlineKind(
        name="proposal.co_views", label=_("co-units' views to the lead unit"), timer="proposal.co_views",
        prepare=_D + "prepare_co_views", dedupe_key=_D + "dedupe_co_views", notification_kind="proposal.views_reminder",
        messages={
            "before": _("Send your views to the lead unit by %(date)s: %(title)s"),
            "due": _("Send your views to the lead unit today (%(date)s): %(title)s"),
            "overdue": _("Your views to the lead unit were due on %(date)s: %(title)s"),
        },
        **_UNIT,
    ),
    DeadlineKind(
        name="proposal.reply", label=_("reply from assignment"), timer="proposal.reply",
        prepare=_D + "prepare_reply", dedupe_key=_D + "dedupe_reply", notification_kind="proposal.reminder_{stage}",
        on_reminded=_D + "reply_reminded",
        messages={
            "before": _("Reply due on %(date)s: %(title)s"),
            "due": _("Reply due today: %(title)s"),
            "overdue": _("Reply overdue since %(date)s: %(title)s"),
        },
        **_UNIT,
    ),
    DeadlineKind(
        name="proposal.evaluation", label=_("proposer's evaluation"), timer="proposal.evaluation",
        remind_timer="proposal.remind_before", overdue_notice=False,
        recipients=_D + "recipients", url=_D + "url", subject=_D + "subject", refresh=_D + "sync_stale",
        prepare=_D + "prepare_evaluation", dedupe_key=_D + "dedupe_evaluation",
        notification_kind="proposal.evaluation_reminder",
        messages={"before": _("Please evaluate the replies to %(title)s by %(date)s")},
    ),
)
