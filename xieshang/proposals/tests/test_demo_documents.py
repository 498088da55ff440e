"""The demo shows the documents' features: replies with document numbers (文号) on their letters, and
proposals with attached files (附件) that the proposal form lists."""

import io

import docx
import pytest

from xieshang.core.models import Attachment
from xieshang.proposals import documents
from xieshang.proposals.demo import DEMO_MATERIAL
from xieshang.proposals.models import PROPOSAL_MATERIAL, Proposal, Reply
from xieshang.proposals.tests.test_demo import loaded  # noqa: F401 - the module's demo, loaded once

pytestmark = pytest.mark.django_db


def test_some_replies_have_document_numbers_and_the_letter_prints_one(loaded):  # noqa: F811
    replies = Reply.objects.filter(proposal__committee=loaded.committee)
    numbered = replies.exclude(document_number="")
    assert 0 < numbered.count() < replies.count()
    reply = numbered.select_related("assignment__unit", "proposal").order_by("-id").first()
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(documents.reply_letter_docx(reply))).paragraphs)
    assert reply.document_number in text and "〔" in reply.document_number


def test_some_proposals_have_attached_files_listed_on_their_form(loaded):  # noqa: F811
    files = Attachment.objects.filter(committee=loaded.committee, purpose=PROPOSAL_MATERIAL)
    assert files.exists()
    proposal = Proposal.objects.get(pk=files.first().object_id)
    assert documents.proposal_values(proposal)["附件"].startswith("1. ")
    assert files.first().size == len(DEMO_MATERIAL) and files.first().original_name.endswith("调研报告.pdf")
