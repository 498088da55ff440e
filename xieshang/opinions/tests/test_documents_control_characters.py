"""Control characters in a stored report ("\\u0013", "\\u000b" …) never break the bulletin issue: a valid
.docx with the text around them kept (issue #12, item 7)."""

import datetime
import io

import pytest
from docx import Document

from xieshang.core import clock
from xieshang.opinions import documents
from xieshang.opinions.models import OpinionReport, Recipient
from xieshang.opinions.tests._screens import people, walk

pytestmark = pytest.mark.django_db

# Stored text as it may be found: every control character but NUL, which PostgreSQL cannot store at all (typed NUL
# is dropped at input: core/tests/test_text_limits.py).
CONTROLS = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r") + "\x7f\ufffe"


@pytest.fixture
def p(committee):
    clock.set_to(datetime.date(2026, 3, 2))
    yield people(committee)
    clock.reset()


def test_bulletin_with_control_characters_is_a_valid_docx(p):
    report = walk(p, "forwarded")
    OpinionReport.objects.filter(pk=report.pk).update(
        title=f"关于\u0013客运{CONTROLS}班线的建议", situation=f"情况\u000b说明{CONTROLS}",
        analysis="分析\u0001", suggestion="建议\u0013一")
    first = Recipient.objects.filter(committee=p.committee).order_by("pk").first()
    Recipient.objects.filter(pk=first.pk).update(name=first.name + "\u0013")
    report.refresh_from_db()
    content = documents.bulletin_docx(report.bulletin)
    lines = [para.text for para in Document(io.BytesIO(content)).paragraphs]
    assert "关于客运班线的建议" in lines and "情况说明" in lines and "建议一" in lines
    assert not any(ch in line for line in lines for ch in CONTROLS)
