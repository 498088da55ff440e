"""Every write of opinion reports. The transitions of workflow.py run through one `core.workflow.Machine`
(`MACHINE`); the named services below delegate to it, so pages and the API share one path:
lock, visibility (404), permission (403), version (409), legality (409), guard, input (422), handler,
one audit event `opinion.<action>`, notifications after the commit.

Every submitter of a report — and each author of the reports combined into a combined report — is told
of each outcome (件件有回音, `_tell_authors`).
"""

from __future__ import annotations

from xieshang.core.errors import NotFound  # noqa: F401

from .models import Commission, OpinionReport, Recipient  # noqa: F401


def opinion_create(*, actor, committee, title: str, situation: str = "", analysis: str = "", suggestion: str = "",
                   body: str = "", category: str = "other", commission=None, submitter_kind: str = "member",
                   organization=None, special_committee=None, liaison_station=None, co_authors=()) -> OpinionReport:
    """A new draft by `actor` (a member, or a user drafting for a party/group, a special committee or a
    liaison station). `body` alone is stored as the situation. Invalid (422) with field errors."""
    raise NotImplementedError


def opinion_act(*, actor, report, action: str, data: dict | None = None, expected_version=None) -> OpinionReport:
    """Carry out any action of workflow.TRANSITIONS on `report` (an instance or an id) through the machine."""
    raise NotImplementedError


def opinion_update(*, actor, report, data: dict, expected_version=None) -> OpinionReport:
    raise NotImplementedError


def opinion_submit(*, actor, report, expected_version=None) -> OpinionReport:
    raise NotImplementedError


def opinion_resubmit(*, actor, report, expected_version=None) -> OpinionReport:
    raise NotImplementedError


def opinion_withdraw(*, actor, report, expected_version=None) -> OpinionReport:
    raise NotImplementedError


def opinion_start_editing(*, actor, report, expected_version=None) -> OpinionReport:
    raise NotImplementedError


def opinion_edit(*, actor, report, data: dict, expected_version=None) -> OpinionReport:
    """data: {"title"?, "situation", "analysis", "suggestion"} or {"body"}, "category"?, "note"?"""
    raise NotImplementedError


def opinion_return(*, actor, report, reason: str, expected_version=None) -> OpinionReport:
    raise NotImplementedError


def opinion_combine(*, actor, reports, title: str, situation: str = "", analysis: str = "", suggestion: str = "",
                    body: str = "", category: str = "other", versions: dict | None = None) -> OpinionReport:
    """Combine several submitted/editing reports into one new combined report (in editing); returns it."""
    raise NotImplementedError


def opinion_decline(*, actor, report, reason: str, expected_version=None) -> OpinionReport:
    raise NotImplementedError


def opinion_send_for_approval(*, actor, report, expected_version=None) -> OpinionReport:
    raise NotImplementedError


def opinion_send_back(*, actor, report, reason: str, expected_version=None) -> OpinionReport:
    raise NotImplementedError


def opinion_approve(*, actor, report, expected_version=None) -> OpinionReport:
    raise NotImplementedError


def opinion_forward(*, actor, report, recipients, bulletin=None, kind=None, issued_on=None,
                    expected_version=None) -> OpinionReport:
    raise NotImplementedError


def opinion_record_adoption(*, actor, report, recipient, level: str, kind: str = "single", manner: str = "adopted",
                            adopted_on=None, note: str = "") -> OpinionReport:
    raise NotImplementedError


def opinion_record_instruction(*, actor, report, level: str, leader: str, date, text: str,
                               leader_title: str = "") -> OpinionReport:
    raise NotImplementedError


def opinion_close(*, actor, report, expected_version=None) -> OpinionReport:
    raise NotImplementedError


def opinion_attachment_add(*, actor, report, file, purpose: str = ""):
    """Attach a file to a report (the submitter while it is a draft or returned; staff while in the office)."""
    raise NotImplementedError


def opinion_attachment_remove(*, actor, report, attachment) -> None:
    raise NotImplementedError


# --- Commissions (约稿) -----------------------------------------------------------------------------------


def commission_create(*, actor, committee, topic: str, due_on, description: str = "") -> Commission:
    raise NotImplementedError


def commission_update(*, actor, commission, topic: str, due_on, description: str = "") -> Commission:
    raise NotImplementedError


def commission_close(*, actor, commission) -> Commission:
    raise NotImplementedError


# --- Recipients (报送对象) ---------------------------------------------------------------------------------


def recipient_save(*, actor, committee, recipient=None, name: str, level: str, sort_order: int = 0,
                   is_active: bool = True) -> Recipient:
    raise NotImplementedError
