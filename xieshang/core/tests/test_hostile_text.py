"""Hostile text through every list, page, export and document (issue #10, Part A.7).

One world is built through the services with text that would do harm if it were ever rendered as markup
or as a template — `<script>`, a quote that closes an attribute, `{{ 7*7 }}`, `{% now %}` — in titles,
bodies, co-unit views, replies, signatures, evaluation comments, leaders' instructions, extension
reasons, unit, member and sector names, plus long Chinese text. Then every page in PAGES is fetched as
the role it names, and each answer is checked by its kind:

- "html": status 200 (never a 500); no `<script>alert(1)</script>` and no `<img src=x onerror=…>`
  unescaped; `{{ 7*7 }}` never turned into 49; and each text of `shows` present exactly, HTML-escaped.
- "json": status 200, and each text of `shows` is the exact value of some string in the document.
- "xlsx": status 200, a workbook; each text of `shows` is the exact value of a cell, or (`contains`)
  part of one.
- "docx": status 200, a Word document; each text of `shows` is found exactly in its paragraphs or tables.

**Adding an app's pages** (e.g. opinions): write a builder `def build_opinions(world): …` that creates
your objects through your services with the texts of `hostile()` / LONG_CHINESE (the people of the world
— `world.member`, `world.cosigner`, `world.staff`, `world.admin`, `world.leader`, `world.unit_user`,
`world.co_user` — are ready), store them on the
world (`world.opinion = …`), append it to BUILDERS, and add one line per URL to PAGES:

    BUILDERS.append(build_opinions)
    PAGES += [
        Page("opinions: staff inbox", "staff", lambda w: reverse("opinions:inbox")),
        Page("opinions: detail", "member", lambda w: reverse("opinions:detail", args=[w.opinion.pk]),
             shows=lambda w: [w.opinion.title]),
        Page("opinions: export", "staff", lambda w: reverse("opinions:export"), "xlsx",
             shows=lambda w: [w.opinion.title]),
    ]

in this module, below the proposals' lines. Or keep them in the app's own test module, without touching
this one:

    from xieshang.core.tests.test_hostile_text import BUILDERS, Page, build_world, check_pages

    def test_hostile_text_in_opinions(committee):
        world = build_world(committee, [*BUILDERS, build_opinions])
        assert not check_pages(world, OPINION_PAGES)

Every failure is listed (page, URL, what was wrong), not only the first.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = "\"'><img src=x onerror=alert(1)>"
TEMPLATE = "{{ 7*7 }}"
TAG = "{% now %}"
LONG_CHINESE = ("关于进一步优化营商环境、加强基层社会治理、推动乡村振兴和生态环境保护的建议，"
                "请有关部门认真研究，切实解决群众反映强烈的突出问题。") * 40


def hostile(label: str) -> str:
    """`label` followed by every hostile piece (74 characters more)."""
    return f"{label}{SCRIPT}{ATTRIBUTE}{TEMPLATE}{TAG}"


# Short ones, for names (a member's name: 40 characters at most) and signatures (40).
NAME = f"张{SCRIPT}{TAG}"  # 35
UNIT_NAME = f"州{ATTRIBUTE}{TEMPLATE}局"  # 42
SECTOR_NAME = f"界{TEMPLATE}{TAG}{SCRIPT}"[:60]
SIGNED_BY = f"{SCRIPT}{TEMPLATE}"  # 34


@dataclasses.dataclass
class Page:
    """One URL to fetch as `role` (an attribute of the world holding a user). `shows`: texts the answer must
    hold exactly; `contains`: for "xlsx", a cell may hold them among other text."""

    name: str
    role: str
    url: Callable[[SimpleNamespace], str]
    kind: str = "html"  # "html" | "json" | "xlsx" | "docx"
    shows: Callable[[SimpleNamespace], list[str]] = lambda w: []
    contains: bool = False


# --- The world ------------------------------------------------------------------------------------


def build_people(world) -> None:
    from xieshang.core.tests.factories import MemberFactory, SectorFactory, UserFactory, grant
    from xieshang.proposals.tests.factories import make_role_user, make_unit

    committee = world.committee
    sector = SectorFactory(committee=committee, name=SECTOR_NAME)

    def member(full_name):
        user = UserFactory(full_name=full_name)
        grant(user, committee, "member")
        MemberFactory(committee=committee, user=user, name=full_name, sector=sector)
        return user

    world.member = member(NAME)
    world.cosigner = member(f"李{ATTRIBUTE}")
    world.staff = make_role_user(committee, "staff", full_name=f"办{SCRIPT}")
    world.admin = make_role_user(committee, "admin", full_name=f"管理{ATTRIBUTE}")
    world.leader = make_role_user(committee, "leader", full_name=f"领导{TEMPLATE}{SCRIPT}")
    world.unit, world.unit_user = make_unit(committee, name=UNIT_NAME)
    world.co_unit, world.co_user = make_unit(committee, name=f"协{SCRIPT}{TEMPLATE}")
    world.sector = sector


def build_proposals(world) -> None:
    from xieshang.proposals.services import proposal_act as act
    from xieshang.proposals.services import proposal_create
    from xieshang.proposals.tests.factories import Actors, walk_to

    actors = Actors(committee=world.committee, proposer=world.member,
                    member=world.member.memberships.get(committee=world.committee), staff=world.staff,
                    leader=world.leader, cosigner=world.cosigner, units=[world.unit, world.co_unit],
                    unit_users=[world.unit_user, world.co_user], roles=["lead", "co"])
    # Replied, evaluated (dissatisfied, with a comment), key, with a leader's instruction and co-unit views.
    world.title = hostile("关于")
    world.body = hostile("建议：") + LONG_CHINESE
    p, _ = walk_to("handling", actors=actors, title=world.title, body=world.body)
    p = act(actor=world.staff, proposal=p, action="mark_key", data={"is_key": True, "leader": world.leader.pk})
    world.instruction = hostile("批示：")
    p = act(actor=world.leader, proposal=p, action="supervise", data={"text": world.instruction})
    world.views = hostile("协办意见：")
    p = act(actor=world.co_user, proposal=p, action="send_views", data={"text": world.views})
    world.reply_text = hostile("答复：") + LONG_CHINESE
    p = act(actor=world.unit_user, proposal=p, action="reply",
            data={"outcome": "adopted", "text": world.reply_text, "signed_by": SIGNED_BY})
    world.comment = hostile("不满意：")
    p = act(actor=world.member, proposal=p, action="evaluate", data={"verdict": "dissatisfied", "comment": world.comment})
    world.proposal = p
    world.reply = p.replies.get()

    # Submitted (the review queue), and one in handling with an extension request (the extensions page).
    world.submitted_title = hostile("待审查")
    world.submitted, _ = walk_to("submitted", actors=actors, cosign=False, title=world.submitted_title)
    single = Actors(committee=actors.committee, proposer=actors.proposer, member=actors.member, staff=actors.staff,
                    leader=actors.leader, cosigner=actors.cosigner, units=[world.unit], unit_users=[world.unit_user],
                    roles=["sole"])
    world.extended_title = hostile("延期")
    handling, _ = walk_to("handling", actors=single, cosign=False, title=world.extended_title)
    assignment = handling.assignments.get()
    world.extension_reason = hostile("延期理由：")
    act(actor=world.unit_user, proposal=handling, action="request_extension",
        data={"until": (assignment.due_date + datetime.timedelta(days=30)).isoformat(), "reason": world.extension_reason})
    world.handling = handling
    # A draft of the member's own, and one a colleague invites them to co-sign.
    world.draft_title = hostile("草稿")
    world.draft = proposal_create(actor=world.member, committee=world.committee, title=world.draft_title, body=world.body)
    world.cosign_title = hostile("联名")
    invite = proposal_create(actor=world.cosigner, committee=world.committee, title=world.cosign_title, body="正文")
    act(actor=world.cosigner, proposal=invite, action="invite_cosigners",
        data={"members": [world.member.memberships.get(committee=world.committee).pk]})
    act(actor=world.cosigner, proposal=invite, action="submit")


BUILDERS: list[Callable] = [build_people, build_proposals]


# --- The pages ------------------------------------------------------------------------------------

_P = "proposals:"
PAGES: list[Page] = [
    # Everyone's shell
    *[Page(f"workbench ({role})", role, lambda w: reverse("core:home")) for role in ("member", "staff", "leader", "unit_user")],
    *[Page(f"inbox ({role})", role, lambda w: reverse("core:inbox")) for role in ("member", "staff", "leader", "unit_user", "co_user")],
    # Member
    Page("my proposals", "member", lambda w: reverse(_P + "mine"), shows=lambda w: [w.title, w.draft_title]),
    Page("co-signing invitations", "member", lambda w: reverse(_P + "cosign_invitations"), shows=lambda w: [w.cosign_title]),
    Page("draft edit", "member", lambda w: reverse(_P + "edit", args=[w.draft.pk]), shows=lambda w: [w.draft_title]),
    # Staff
    Page("staff list", "staff", lambda w: reverse(_P + "list"),
         shows=lambda w: [w.title, w.submitted_title, NAME, UNIT_NAME, SECTOR_NAME]),
    Page("staff list, searched and sorted", "staff",
         lambda w: reverse(_P + "list") + "?q=%3Cscript%3E&sort=title&state=replied&page_size=10"),
    Page("staff list, hostile query", "staff",
         lambda w: reverse(_P + "list") + "?q=%7B%7B+7*7+%7D%7D%22%27%3E%3Cscript%3E&sort=%3Cscript%3E&sector=%7B%25+now+%25%7D"),
    Page("review queue", "staff", lambda w: reverse(_P + "review"), shows=lambda w: [w.submitted_title]),
    Page("assignment meeting", "staff", lambda w: reverse(_P + "assign_batch")),
    Page("extension requests", "staff", lambda w: reverse(_P + "extensions"), shows=lambda w: [w.extended_title]),
    Page("overdue board", "staff", lambda w: reverse(_P + "overdue")),
    Page("key proposals (staff)", "staff", lambda w: reverse(_P + "supervised"), shows=lambda w: [w.title]),
    Page("statistics", "staff", lambda w: reverse("reports:proposals")),
    Page("statistics records: received", "staff", lambda w: reverse("reports:proposals_records") + "?figure=received",
         shows=lambda w: [w.title]),
    Page("statistics records: replied", "staff", lambda w: reverse("reports:proposals_records") + "?figure=replied"),
    Page("my exports", "staff", lambda w: reverse("core:exports")),
    # Administration (the names of units, sectors, members and users)
    Page("admin: units", "admin", lambda w: reverse("core:admin_units"), shows=lambda w: [UNIT_NAME]),
    Page("admin: sectors", "admin", lambda w: reverse("core:admin_sectors"), shows=lambda w: [SECTOR_NAME]),
    Page("admin: members", "admin", lambda w: reverse("core:admin_members"), shows=lambda w: [NAME]),
    Page("admin: users", "admin", lambda w: reverse("core:admin_users"), shows=lambda w: [NAME]),
    Page("admin: unit", "admin", lambda w: reverse("core:admin_unit_edit", args=[w.unit.pk]), shows=lambda w: [UNIT_NAME]),
    # Leader
    Page("supervised proposals", "leader", lambda w: reverse(_P + "supervised"), shows=lambda w: [w.title]),
    # Units
    *[Page(f"unit inbox: {tab}", "unit_user", lambda w, tab=tab: reverse(_P + "unit_inbox") + f"?tab={tab}")
      for tab in ("to_acknowledge", "handling", "due_soon", "replied")],
    Page("unit inbox (co-unit)", "co_user", lambda w: reverse(_P + "unit_inbox") + "?tab=handling"),
    # One proposal, for everyone who may see it
    *[Page(f"detail ({role})", role, lambda w: reverse(_P + "detail", args=[w.proposal.pk]),
           shows=lambda w: [w.title, w.reply_text, w.comment, w.views, w.instruction, UNIT_NAME, NAME, SIGNED_BY])
      for role in ("member", "staff", "leader")],
    Page("detail (lead unit)", "unit_user", lambda w: reverse(_P + "detail", args=[w.proposal.pk]),
         shows=lambda w: [w.title, w.reply_text, w.views, UNIT_NAME]),
    Page("detail (co-unit)", "co_user", lambda w: reverse(_P + "detail", args=[w.proposal.pk]), shows=lambda w: [w.title]),
    Page("detail with an extension request (staff)", "staff", lambda w: reverse(_P + "detail", args=[w.handling.pk]),
         shows=lambda w: [w.extended_title, w.extension_reason]),
    Page("print", "staff", lambda w: reverse(_P + "print", args=[w.proposal.pk]), shows=lambda w: [w.title]),
    Page("print (member)", "member", lambda w: reverse(_P + "print", args=[w.proposal.pk]), shows=lambda w: [w.title]),
    # Excel
    Page("staff list export", "staff", lambda w: reverse(_P + "export"), "xlsx",
         shows=lambda w: [w.title, w.submitted_title, NAME, SECTOR_NAME]),
    Page("staff list export: units", "staff", lambda w: reverse(_P + "export"), "xlsx", shows=lambda w: [UNIT_NAME],
         contains=True),
    Page("unit's export", "unit_user", lambda w: reverse(_P + "export"), "xlsx", shows=lambda w: [w.title]),
    Page("API export", "staff", lambda w: "/api/v1/proposals/export.xlsx", "xlsx", shows=lambda w: [w.title, NAME]),
    Page("statistics export", "staff", lambda w: reverse("reports:proposals_export"), "xlsx"),
    # Word
    Page("proposal form (Word)", "member", lambda w: f"/api/v1/proposals/{w.proposal.pk}/documents/proposal.docx",
         "docx", shows=lambda w: [w.title, w.body]),
    Page("proposal form (Word, staff)", "staff", lambda w: f"/api/v1/proposals/{w.proposal.pk}/documents/proposal.docx",
         "docx", shows=lambda w: [w.title]),
    Page("reply letter (Word)", "member",
         lambda w: f"/api/v1/proposals/{w.proposal.pk}/replies/{w.reply.pk}/letter.docx", "docx",
         shows=lambda w: [w.reply_text, UNIT_NAME, SIGNED_BY, f"{NAME}委员："]),
    # API
    *[Page(f"API list ({role})", role, lambda w: "/api/v1/proposals", "json", shows=lambda w: [w.title])
      for role in ("member", "staff", "leader", "unit_user")],
    Page("API list, searched", "staff", lambda w: "/api/v1/proposals?q=%3Cscript%3E&sort=title", "json"),
    *[Page(f"API detail ({role})", role, lambda w: f"/api/v1/proposals/{w.proposal.pk}", "json",
           shows=lambda w: [w.title, w.body, w.reply_text, UNIT_NAME])
      for role in ("member", "staff", "leader", "unit_user")],
    Page("API events", "staff", lambda w: f"/api/v1/proposals/{w.proposal.pk}/events", "json"),
    Page("API me", "member", lambda w: "/api/v1/me", "json", shows=lambda w: [NAME]),
]


# --- The checks -----------------------------------------------------------------------------------


def _html_problems(text: str, shows: list[str]) -> list[str]:
    problems = []
    if SCRIPT in text:
        problems.append("an unescaped <script>")
    if "<img src=x onerror" in text:
        problems.append("an unescaped <img onerror>")
    for marker in (escape(SCRIPT) + "49", escape(ATTRIBUTE) + "49"):
        if marker in text:
            problems.append(f"{{{{ 7*7 }}}} evaluated ({marker!r})")
    for item in shows:
        if escape(item) not in text:
            problems.append(f"does not show {item[:30]!r}… exactly (escaped)")
    return problems


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _json_problems(data: bytes, shows: list[str]) -> list[str]:
    values = set(_strings(json.loads(data)))
    return [f"no value is exactly {item[:30]!r}…" for item in shows if item not in values]


def _xlsx_problems(data: bytes, shows: list[str], contains: bool) -> list[str]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    problems = []
    for item in shows:
        found = any(item in c for c in cells) if contains else item in cells
        if not found:
            problems.append(f"no cell {'holds' if contains else 'is exactly'} {item[:30]!r}…")
    return problems


def _docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in doc.sections:
        parts.extend(p.text for p in section.header.paragraphs)
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def _docx_problems(data: bytes, shows: list[str]) -> list[str]:
    text = _docx_text(data)
    return [f"does not hold {item[:30]!r}… exactly" for item in shows if item not in text]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def check_pages(world, pages: list[Page]) -> list[str]:
    """Fetch every page as its role; the list of what went wrong ("" for none)."""
    clients: dict[str, Client] = {}
    failures = []
    for page in pages:
        if page.role not in clients:
            clients[page.role] = Client(raise_request_exception=False)
            clients[page.role].force_login(getattr(world, page.role))
        client = clients[page.role]
        try:
            url = page.url(world)
            response = client.get(url)
        except Exception as exc:  # noqa: BLE001 - a crash is one more failure to report
            failures.append(f"{page.name}: {exc.__class__.__name__}: {exc}")
            continue
        if response.status_code != 200:
            failures.append(f"{page.name} ({url}): status {response.status_code}")
            continue
        data = _body(response)
        shows = page.shows(world)
        if page.kind == "html":
            problems = _html_problems(data.decode(), shows)
        elif page.kind == "json":
            problems = _json_problems(data, shows)
        elif page.kind == "xlsx":
            problems = _xlsx_problems(data, shows, page.contains)
        elif page.kind == "docx":
            problems = _docx_problems(data, shows)
        else:
            problems = [f"unknown kind {page.kind!r}"]
        failures.extend(f"{page.name} ({url}): {p}" for p in problems)
    return failures


def build_world(committee, builders: list[Callable] | None = None) -> SimpleNamespace:
    """The world of hostile texts: `builders` (default BUILDERS) run in turn on one namespace."""
    world = SimpleNamespace(committee=committee)
    for builder in BUILDERS if builders is None else builders:
        builder(world)
    return world


@pytest.mark.django_db
def test_hostile_text_is_shown_as_text_on_every_page_export_and_document(committee, settings):
    settings.XIESHANG_EXPORT_INLINE_MAX_ROWS = 1000
    world = build_world(committee)
    failures = check_pages(world, PAGES)
    assert not failures, "\n".join(failures)


def test_the_checks_catch_what_they_look_for():
    """The checks themselves fail where they should (a test that cannot fail proves nothing)."""
    assert _html_problems(f"<p>{SCRIPT}</p>", [])
    assert _html_problems(f"<p>{escape(ATTRIBUTE)}49</p>", [])
    assert _html_problems("<p>x</p>", ["关于<b>"])
    assert not _html_problems(f"<p>{escape(hostile('关于'))}</p>", [hostile("关于")])
    assert _json_problems(json.dumps({"a": [{"t": "关于"}]}).encode(), ["关于<"])
    assert not _json_problems(json.dumps({"a": [{"t": hostile("x")}]}).encode(), [hostile("x")])
