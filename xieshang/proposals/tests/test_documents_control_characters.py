"""Control characters in stored text ("\\u0013", "\\u000b" …, typed before input was normalised, or
loaded around the services) never break a Word document: every generator gives a valid .docx, built in
or from a committee's template (issue #12, item 7)."""

import io

import docx
import pytest

from xieshang.proposals.documents import proposal_docx, reply_letter_docx
from xieshang.proposals.models import Proposal, Reply
from xieshang.proposals.tests.test_documents import _template, _texts
from xieshang.proposals.tests.test_documents import proposal as proposal  # noqa: F401,PLC0414 - the fixture

pytestmark = pytest.mark.django_db

# Stored text as it may be found: every control character but NUL, which PostgreSQL cannot store at all (typed NUL
# is dropped at input: core/tests/test_text_limits.py).
CONTROLS = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r") + "\x7f\ufffe"


@pytest.fixture
def hostile(proposal):  # noqa: F811
    Proposal.objects.filter(pk=proposal.pk).update(
        title=f"关于\u0013番茄\u000b加工{CONTROLS}的建议", body=f"一、现状\u000b\n基础\u0013良好。{CONTROLS}",
        suggested_units="州工信局\u0001", contact_address="延安北路\u000c1号")
    Reply.objects.filter(proposal=proposal).update(text=f"经研究\u0013，答复如下：\u000b一、已出台{CONTROLS}。",
                                                   signed_by="李\u0013局长")
    proposal.refresh_from_db()
    return proposal


def _valid(data: bytes) -> str:
    text = _texts(data)  # python-docx opens it: the XML is well formed
    assert not any(ch in text for ch in CONTROLS)
    return text


def test_built_in_documents_carry_control_characters_as_nothing(hostile):
    text = _valid(proposal_docx(hostile))
    assert "关于番茄加工的建议" in text and "基础良好。" in text
    text = _valid(reply_letter_docx(hostile.replies.get()))
    assert "经研究，答复如下：" in text and "签发人：李局长" in text


def test_committee_templates_carry_control_characters_as_nothing(hostile, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    _template(tmp_path / "templates" / "changji" / "proposal.docx", ["{{标题}}", "{{正文}}"],
              [("案由", "{{案由}}")])
    _template(tmp_path / "templates" / "changji" / "reply_letter.docx", ["{{答复正文}}", "{{签发人}}"])
    text = _valid(proposal_docx(hostile))
    assert "关于番茄加工的建议" in text
    texts = [p.text for p in docx.Document(io.BytesIO(reply_letter_docx(hostile.replies.get()))).paragraphs]
    assert "李局长" in texts


def test_documents_through_the_api_answer_200(hostile, client, committee):
    from xieshang.api.tests.conftest import ApiClient, issue_token

    api = ApiClient(issue_token(hostile.lead_proposer.user))
    response = api.get(f"proposals/{hostile.pk}/documents/proposal.docx")
    assert response.status_code == 200, response.content[:300]
    _valid(response.content)
    reply = hostile.replies.get()
    response = api.get(f"proposals/{hostile.pk}/replies/{reply.pk}/letter.docx")
    assert response.status_code == 200, response.content[:300]
    _valid(response.content)
