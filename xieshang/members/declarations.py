"""What the members app adds to the platform (read by xieshang.core.registry through MembersConfig.declare):
its menu entries — 我的履职 for members, 履职考核规则 for the office."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xieshang.core.registry import Declarations, NavItem


def declarations() -> Declarations:
    return Declarations(
        nav=(
            NavItem(_("My duty"), "members:my_duty", frozenset({"member"}), order=300),
            NavItem(_("Duty scoring rules"), "members:rules", frozenset({"staff", "admin"}), order=310),
            NavItem(_("Members' duty"), "members:list", frozenset({"staff", "admin", "leader"}), order=305),
            NavItem(_("Duty alerts"), "members:alerts", frozenset({"staff", "admin"}), order=306),
            NavItem(_("Training"), "members:courses", frozenset({"staff", "admin", "member"}), order=307),
        ),
        event_labels={"duty_rules": "xieshang.members.selectors.event_label",
                      "duty_fact": "xieshang.members.selectors.event_label",
                      "duty_score": "xieshang.members.selectors.event_label",
                      "duty_alert": "xieshang.members.selectors.event_label",
                      "duty_procedure": "xieshang.members.selectors.event_label",
                      "course": "xieshang.members.selectors.event_label"},
        todos=("xieshang.members.selectors.todos_for",),
        duty_kinds=duty_kinds(),
        export_kinds=export_kinds(),
        demo_loaders=("xieshang.members.demo.load",),
    )


def export_kinds() -> dict:
    """Every member's yearly duty report (委员年度履职报告) in one Word file, written by the worker."""
    from xieshang.core.exports import Kind

    from xieshang.core.documents import DOCX

    return {"members-duty-reports": Kind(_("Members' yearly duty reports"),
                                         "xieshang.members.documents.write_duty_reports", "duty-reports",
                                         suffix="docx", content_type=DOCX)}


def duty_kinds() -> dict:
    """The ledger kinds of facts added by hand (补录): `members.manual.<kind>` for each kind of the vocabulary,
    labelled "added by hand: <the kind's label>"."""
    from django.utils.text import format_lazy

    from .rules import KINDS, MANUAL_PREFIX

    kinds = {f"{MANUAL_PREFIX}{kind}": format_lazy("{}: {}", _("added by hand"), label)
             for kind, label in KINDS.items()}
    kinds["members.training"] = _("attended a training course or study session")
    return kinds
