"""Statistics and reports in the probe's access matrix (core/tests/test_probe_matrix.py)."""

from xieshang.core.tests.probe import OFFICE, SIGNED_IN, Endpoint, Page

READERS = OFFICE | {"leader"}

PAGES = [
    Page("reports:proposals", ok=READERS),
    Page("reports:proposals_export", ok=READERS),
    Page("reports:proposals_records", ok=frozenset()),
    Page("reports:opinions", ok=READERS),
    Page("reports:opinions_export", ok=READERS),
    Page("reports:import_proposals", ok=OFFICE),
    Page("reports:import_proposals_template", ok=OFFICE),
    Page("reports:proposal_docx", obj="proposals.closed", ok=SIGNED_IN),  # whoever sees the proposal
    Page("reports:proposal_docx", obj="proposals.hidden_draft", ok=frozenset()),
    Page("reports:reply_letter_docx", obj="proposals.reply", ok=SIGNED_IN),
    # Hot topics (xieshang.text.hot): the statistics roles.
    Page("reports:hot", ok=READERS),
    Page("reports:hot_card", ok=READERS),
    Page("reports:hot_export", ok=READERS),
]
API = [Endpoint("/api/v1/text/hot-topics", ok=READERS)]
