"""Files attached to a proposal (附件: survey material, photos, data) — core Attachments of purpose
PROPOSAL_MATERIAL, checked and stored by xieshang.core.attachments; the rules are the proposals' own:

- **attach**: the proposer while the proposal is being written or reviewed and not yet registered (draft,
  co-signing, submitted, returned for revision); the office (staff, administrators) while it is submitted or
  returned. After registration the proposal is what was registered: nothing is added.
- **types and size**: MATERIAL_EXTENSIONS (documents, spreadsheets, images, PDF — each checked against its
  content by core), XIESHANG_MAX_UPLOAD_MB per file, at most MAX_FILES files.
- **remove**: the one who uploaded it, while the proposal is a draft or returned for revision.
- **see and download**: those who may have the proposal's documents (selectors.may_download_documents:
  proposers, co-signers, the office, leaders, its handling units); anyone else gets the same 404 as for a
  proposal that does not exist.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from xieshang.core import attachments as core_attachments
from xieshang.core.errors import Forbidden, Invalid, NotFound

from . import selectors
from .models import PROPOSAL_MATERIAL, Proposal, ProposalState

S = ProposalState
MATERIAL_EXTENSIONS = (
    ".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".jpg", ".jpeg", ".png", ".txt",
)
MAX_FILES = 20
PROPOSER_STATES = frozenset({S.DRAFT, S.COSIGNING, S.SUBMITTED, S.RETURNED})
OFFICE_STATES = frozenset({S.SUBMITTED, S.RETURNED})
REMOVABLE_STATES = frozenset({S.DRAFT, S.RETURNED})


def may_attach(user, proposal) -> bool:
    """May `user` attach a file to `proposal` now?"""
    relations = selectors.relations_of(user, proposal)
    return bool(("proposer" in relations and proposal.state in PROPOSER_STATES)
                or ("staff" in relations and proposal.state in OFFICE_STATES))


def may_see_attachments(user, proposal) -> bool:
    """May `user` see and download the files of `proposal`? Those who may have its documents."""
    return selectors.may_download_documents(user, proposal)


def may_remove(user, proposal, attachment) -> bool:
    return (getattr(user, "pk", None) is not None and attachment.uploaded_by_id == user.pk
            and proposal.state in REMOVABLE_STATES and selectors.can_see(user, proposal))


def attachments_of(proposal) -> list:
    """The proposal's files, oldest first (the prefetched ones when the detail loaded them)."""
    rows = [a for a in proposal.attachments.all() if a.purpose == PROPOSAL_MATERIAL]
    return sorted(rows, key=lambda a: (a.uploaded_at, a.pk))


def _visible(actor, proposal) -> Proposal:
    if not isinstance(proposal, Proposal):
        proposal = selectors.proposal_get(actor, proposal)
    elif actor is None or not selectors.can_see(actor, proposal):
        raise NotFound()
    return proposal


def proposal_attachment_add(*, actor, proposal, file):
    """Attach the uploaded `file` to `proposal`: NotFound when `actor` may not see it, Forbidden when they may
    not attach now, Invalid (field "file", detail file_type / file_too_large / file_empty) for a refused file."""
    proposal = _visible(actor, proposal)
    if not may_attach(actor, proposal):
        raise Forbidden(_("Files can be attached only until the proposal is registered."))
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.state != proposal.state:
            raise Forbidden(_("Files can be attached only until the proposal is registered."))
        count = core_attachments.attachments_of(locked, PROPOSAL_MATERIAL).count()
        if count >= MAX_FILES:
            raise Invalid(field_errors={"file": [
                _("A proposal can have at most %(n)d attached files.") % {"n": MAX_FILES}]})
        return core_attachments.attachment_add(actor=actor, committee=locked.committee_id, obj=locked, file=file,
                                               purpose=PROPOSAL_MATERIAL, extensions=MATERIAL_EXTENSIONS)


def proposal_attachment_remove(*, actor, proposal, attachment) -> None:
    """Remove one of the proposal's files: its uploader while the proposal is a draft or returned (Forbidden
    otherwise); NotFound for a proposal they may not see or a file that is not the proposal's."""
    proposal = _visible(actor, proposal)
    try:
        row = core_attachments.attachment_get(proposal, getattr(attachment, "pk", attachment),
                                              purpose=PROPOSAL_MATERIAL)
    except Http404:  # not a file of this proposal: the same answer as a missing one
        raise NotFound() from None
    if not may_remove(actor, proposal, row):
        raise Forbidden(_("Only the person who attached a file can remove it, while the proposal is a draft."))
    core_attachments.attachment_remove(actor=actor, attachment=row)
