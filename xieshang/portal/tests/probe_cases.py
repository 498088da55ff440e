"""The public portal in the probe's access matrix: everybody, signed in or not, sees only what is published."""

from xieshang.core.tests.probe import EVERYONE, Page

PAGES = [
    Page("portal:home", ok=EVERYONE),
    Page("portal:proposals", ok=EVERYONE),
    Page("portal:clue", ok=EVERYONE),  # the public form for proposal clues
    Page("portal:proposal", obj="proposals.closed", ok=frozenset(), status=(("anonymous", 404),)),  # not published
    Page("portal:proposal", obj="proposals.hidden_draft", ok=frozenset(), status=(("anonymous", 404),)),
]
API = []
