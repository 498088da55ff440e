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

# --- Menu, workbench, schedule, timers, exports, timeline, organisation changes (read by core through the
# registry: core/navigation.py, core/selectors.todos_for, core/scheduler.jobs, core/timers.defaults,
# core/exports.kinds, core/audit.event_label, core/services._record_saved).


def _nav():
    from xieshang.core.models import Role
    from xieshang.core.registry import NavItem

    office = frozenset({Role.STAFF, Role.ADMIN, Role.LEADER})
    return (
        NavItem(_("My proposals"), "proposals:mine", frozenset({Role.MEMBER}), order=110),
        NavItem(_("Co-signing invitations"), "proposals:cosign_invitations", frozenset({Role.MEMBER}), order=120),
        NavItem(_("Proposals"), "proposals:list", office, order=130),
        NavItem(_("Review queue"), "proposals:review", frozenset({Role.STAFF, Role.ADMIN}), order=140),
        NavItem(_("Unit inbox"), "proposals:unit_inbox", frozenset({Role.UNIT}), order=150),
        NavItem(_("Overdue board"), "proposals:overdue", office, order=160),
        NavItem(_("Supervised proposals"), "proposals:supervised", frozenset({Role.LEADER}), order=170),
        NavItem(_("Proposal clues"), "proposals:clues", frozenset({Role.MEMBER, Role.STAFF, Role.ADMIN, Role.LEADER}),
                order=180),
        NavItem(_("Evaluation questions"), "proposals:evaluation_questions", frozenset({Role.STAFF, Role.ADMIN}),
                order=175),
    )


TODOS = ("xieshang.proposals.selectors.todos_for", "xieshang.proposals.clue_selectors.todos_for")


def _jobs():
    import datetime

    from xieshang.core.scheduler import Job

    return (
        # Co-signing closed when its time is over (the reminders of proposals' deadlines run in core.deadlines).
        Job("proposals.periodic", "xieshang.proposals.tasks.run_scheduled", datetime.timedelta(minutes=15)),
    )


def _timers():
    from xieshang.core.timers import TimerDefault

    return {
        "proposal.cosign": TimerDefault(7, "days", _("co-signing")),
        "proposal.objection": TimerDefault(5, "working_days", _("objection to an assignment")),
        "proposal.first_contact": TimerDefault(15, "working_days", _("first contact with the proposer")),
        "proposal.co_views": TimerDefault(1, "months", _("co-units' views to the lead unit")),
        "proposal.reply": TimerDefault(3, "months", _("reply from assignment")),
        "proposal.extension_max": TimerDefault(6, "months", _("longest extension of the reply")),
        "proposal.evaluation": TimerDefault(15, "working_days", _("proposer's evaluation")),
        "proposal.rehandle_reply": TimerDefault(3, "months", _("reply after re-handling")),
        "proposal.remind_before": TimerDefault(5, "working_days", _("reminder before a deadline")),
    }


def _export_kinds():
    from xieshang.core.exports import Kind

    return {
        # The proposal list with the staff list's filters and columns (proposals:export).
        "proposals": Kind(_("Proposal list"), "xieshang.proposals.exports.write_proposal_list", "proposals"),
        # The same list with the columns of GET /api/v1/proposals/export.xlsx (POST /api/v1/proposals/exports).
        "proposals_api": Kind(_("Proposal list"), "xieshang.proposals.exports.write_proposal_list_api", "proposals"),
    }


# Timeline labels of "proposal.<action>" events.
EVENT_LABELS = {
    "proposal": "xieshang.proposals.selectors.event_label",
    "proposal_clue": "xieshang.proposals.clue_selectors.event_label",
    "clue_call": "xieshang.proposals.clue_selectors.event_label",
}

# Names inside the search index follow renamed organisation rows (called inside the administration service).
ORGANISATION_CHANGED = ("xieshang.proposals.search.organisation_row_changed",)


def declarations():
    """Everything proposals declare, as one xieshang.core.registry.Declarations (ProposalsConfig.declare)."""
    from xieshang.core.registry import Declarations

    return Declarations(
        nav=_nav(), todos=TODOS, jobs=_jobs(), timers=_timers(), export_kinds=_export_kinds(),
        event_labels=EVENT_LABELS, organisation_changed=ORGANISATION_CHANGED,
        deadline_kinds=DEADLINE_KINDS, duty_kinds=DUTY_KINDS, search_kinds=SEARCH_KINDS,
        demo_loaders=("xieshang.proposals.demo.load", "xieshang.proposals.clue_demo.load"),
    )
