"""The search index counts at most FIELD_MAX characters of a field (issue #12, item 5): text written around
the services (an old 9 MB body) is indexed in bounded time; what typed text can hold is all indexed."""

from xieshang.core import search
from xieshang.core.text import BODY_MAX


def test_a_field_counts_up_to_field_max_characters():
    assert search.FIELD_MAX >= BODY_MAX  # everything a person can type is searchable
    huge = "教育" * 4_500_000  # 9 million characters
    words = search.build_document(words=[huge + " 局长", "标题"]).fts5(search.WORDS).split()
    assert len(words) <= search.FIELD_MAX + 10
    assert "局长" not in words and "标题" in words
    typed = "教" * (BODY_MAX - 2) + "局长"
    assert "局长" in search.build_document(words=[typed]).fts5(search.WORDS).split()
