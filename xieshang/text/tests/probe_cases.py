"""The text screens in the probe's access matrix (core/tests/test_probe_matrix.py; the world: core/tests/probe.py).

The drafting panel (POST only) is for everyone who drafts or reviews (members, the office, leaders; handling
units: 404); the review panel for the office on a proposal it may see (a member's draft: nobody); the
acceptance page for the office. The API's /text/similar and /text/suggest are POST only (the fuzzer covers
them; their permission matrix: tests/test_textui.py).
"""

from xieshang.core.tests.probe import OFFICE, SIGNED_IN, Page

NOBODY = frozenset()

PAGES = [
    Page("text:similar", ok=SIGNED_IN - {"unit"}, method="post"),
    Page("text:review", obj="proposals.assigned", args=(("kind", "proposal"),), ok=OFFICE),
    Page("text:review", obj="proposals.hidden_draft", args=(("kind", "proposal"),), ok=NOBODY),
    Page("text:acceptance", ok=OFFICE),
]
