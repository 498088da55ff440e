"""Hot topics (热点) over the API (xieshang.text.hot).

    GET /text/hot-topics?year=YYYY&k=10   the year's themes with last year's counts, by kind, and a few
                                          records of each the caller may see (staff, administrators and
                                          leaders; 404 for anyone else, as the statistics pages)
"""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from xieshang.core import clock
from xieshang.core.errors import NotFound
from xieshang.reports.selectors import may_see_statistics
from xieshang.text import hot

from .auth import committee_for
from .schemas import ERRORS

router = Router(tags=["text"])


class HotFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2200, description="The year (default: this year)")
    k: int = Field(10, ge=1, le=hot.K_MAX, description="How many themes")


class KindCounts(Schema):
    count: int
    last_year: int


class HotExample(Schema):
    kind: str
    id: int
    title: str
    url: str


class HotTopicOut(Schema):
    label: str
    count: int = Field(description="records of the year naming the theme")
    last_year: int = Field(description="records of the year before")
    change: int
    trend: str = Field(description="new | up | down | flat")
    phrases: list[str]
    by_kind: dict[str, KindCounts] = Field(description="proposal / opinion / demand")
    examples: list[HotExample]


class HotTopicsOut(Schema):
    year: int
    topics: list[HotTopicOut]


@router.get("/hot-topics", response={200: HotTopicsOut, **ERRORS}, summary="The year's hot topics",
            operation_id="text_hot_topics", url_name="text_hot_topics")
def hot_topics(request, filters: Query[HotFilters]):
    committee = committee_for(request)
    if not may_see_statistics(request.auth, committee):
        raise NotFound()
    year = filters.year or clock.today().year
    topics = hot.hot_topics(committee, year, k=filters.k, viewer=request.auth)
    return {"year": year, "topics": [t.as_dict() for t in topics]}
