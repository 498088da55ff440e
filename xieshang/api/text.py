"""Endpoints of the text engine (xieshang.text, docs/text.md). Thin: check who asks, call xieshang.text.services.

    POST /text/similar   {"title", "body", "kinds": ["proposal", "opinion", "demand"]}
                         → the ten most similar earlier items the caller may see, best first (members while
                           drafting, keepers, the office, leaders; handling units: 403)
    POST /text/suggest   {"kind": "proposal"|"opinion"|"demand", "title", "body"}
                         → {"categories": [{"code", "name", "score"}], "units": [{"id", "name", "score"}],
                            "status", "message"} (the office and station keepers: those who decide; else 403)

An empty or one-character text gives empty lists, never an error; a long text is cut (20,000 characters of
body, 1,000 of title), never refused. A committee without a usable model gets empty lists with `status`
"not_enough_history" or "unavailable" and a message saying so.
"""

from __future__ import annotations

from typing import Literal

from ninja import Field, Router, Schema

from xieshang.core.errors import Forbidden
from xieshang.text import services

from .common import committee_or_forbidden
from .schemas import ERRORS

router = Router(tags=["text"])

KindValue = Literal["proposal", "opinion", "demand"]


class TextSimilarIn(Schema):
    title: str = Field("", description="The subject (cut to 1,000 characters)")
    body: str = Field("", description="The text (cut to 20,000 characters)")
    kinds: list[KindValue] = Field(default_factory=lambda: ["proposal", "opinion", "demand"], max_length=3)


class TextPassage(Schema):
    query: str
    match: str
    score: float


class TextSimilarItem(Schema):
    id: int
    kind: str
    number: str
    title: str
    state: str
    state_label: str
    year: int
    category: str
    score: float
    url: str
    reply: str = Field(description="An excerpt of the latest reply (proposals) or answer (demands) the caller may read")
    passages: list[TextPassage]


class TextSuggestIn(Schema):
    kind: KindValue
    title: str = ""
    body: str = ""


class TextCategoryOut(Schema):
    code: str
    name: str
    score: float


class TextUnitOut(Schema):
    id: int
    name: str
    score: float


class TextSuggestOut(Schema):
    categories: list[TextCategoryOut]
    units: list[TextUnitOut]
    status: Literal["ok", "short", "not_enough_history", "unavailable"]
    message: str


@router.post("/similar", response={200: list[TextSimilarItem], **ERRORS}, summary="Similar earlier items",
             operation_id="text_similar")
def text_similar(request, payload: TextSimilarIn):
    """The ten most similar earlier proposals, opinion reports and demands of the committee (all years) that
    the caller may see, with the passages that match; items the caller may not see are left out."""
    committee = committee_or_forbidden(request)
    if not services.may_ask_similar(request.auth, committee):
        raise Forbidden()
    return services.similar(request.auth, committee, payload.title, payload.body, kinds=payload.kinds or None)


@router.post("/suggest", response={200: TextSuggestOut, **ERRORS}, summary="Suggested category and handling units",
             operation_id="text_suggest")
def text_suggest(request, payload: TextSuggestIn):
    """Ranked categories and (proposals, demands) handling units of the committee, learned from its own
    decisions. The person decides; the services record what was chosen against what is suggested."""
    committee = committee_or_forbidden(request)
    if not services.may_ask_suggestions(request.auth, committee):
        raise Forbidden()
    return services.suggest(committee, payload.kind, payload.title, payload.body)
