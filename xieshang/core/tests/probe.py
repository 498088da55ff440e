"""The probe's world: one committee with a person of every role and objects of every app in several states,
seen by each role as hidden, own, assigned or public. Used by the API fuzzing (api/tests/test_probe_fuzz.py),
the access matrix (core/tests/test_probe_matrix.py) and the hostile-input suite.

Each app adds its objects through `build_<app>(world)` here and declares its expectations in its own
`tests/probe_cases.py` (see docs/security.md, "The probe").
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from types import SimpleNamespace

ROLES = ("member", "staff", "unit", "leader", "admin", "anonymous")
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
EVERYONE = frozenset(ROLES)
OFFICE = frozenset({"staff", "admin"})
ADMIN = frozenset({"admin"})


@dataclass(frozen=True)
class Page:
    """What one page URL pattern answers each role (the access matrix, core/tests/test_probe_matrix.py).

    name: the URL name ("proposals:detail"); obj: the world's object whose pk fills `pk` ("proposals.own_draft");
    args: other URL arguments; ok: the roles that get `ok_status` (200 by default; 302 for a page that sends
    them on); for a POST-only URL (method="post") only the refused roles are probed, with an empty POST (the
    allowed ones would change the world; the app's own tests post as them); everybody else gets `denied` (404: invisible is
    the same as missing) and anonymous callers the sign-in page (302) unless the page is public (in `ok`).
    status: exceptions for single roles.
    """

    name: str
    ok: frozenset = SIGNED_IN
    obj: str | None = None
    args: tuple = ()
    method: str = "get"  # "post" for a URL that only takes POST: the roles not in `ok` post (empty data)
    ok_status: int = 200
    denied: int = 404
    status: tuple = ()  # ((role, status), …)

    def expected(self, role: str) -> int:
        special = dict(self.status)
        if role in special:
            return special[role]
        if role in self.ok:
            return self.ok_status
        return 302 if role == "anonymous" else self.denied

    def label(self) -> str:
        return self.name + (f" [{self.obj}]" if self.obj else "")


@dataclass(frozen=True)
class Endpoint:
    """What one API GET path answers each role: `ok` → 200, anonymous → 401, others `denied` (404)."""

    path: str
    ok: frozenset = SIGNED_IN
    obj: str | None = None
    args: tuple = ()  # other path parameters: (("reply_id", "@proposals.reply"),)
    denied: int = 404
    status: tuple = ()

    def expected(self, role: str) -> int:
        special = dict(self.status)
        if role in special:
            return special[role]
        if role in self.ok:
            return 200
        return 401 if role == "anonymous" else self.denied

    def label(self) -> str:
        return self.path + (f" [{self.obj}]" if self.obj else "")


@dataclass(frozen=True)
class Creator:
    """A creating service in the hostile-input probe (core/tests/test_probe_hostile.py): `create(world, text)`
    makes one object with `text` in its free-text fields; `pages(world, obj)` → [(role, url, kind)] to read it."""

    name: str
    create: object
    pages: object


def declared_cases():
    """Every installed app's `tests/probe_cases.py`: {app label: module} (an app without one declares nothing)."""
    import importlib

    from django.apps import apps

    found = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("xieshang."):
            continue
        try:
            found[config.label] = importlib.import_module(f"{config.name}.tests.probe_cases")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.tests.probe_cases" and exc.name != f"{config.name}.tests":
                raise
    return found


def probe_examples(default: int = 3) -> int:
    """How many generated requests per API operation and role: `XIESHANG_PROBE_EXAMPLES` (CI sets more)."""
    try:
        return max(1, int(os.environ.get("XIESHANG_PROBE_EXAMPLES", "")))
    except ValueError:
        return 8 if os.environ.get("CI", "").lower() == "true" else default


@dataclass
class World:
    committee: object
    users: dict = field(default_factory=dict)  # role → user (anonymous → None)
    others: dict = field(default_factory=dict)  # extra people: "member2", "unit2"
    objects: dict = field(default_factory=dict)  # "<app>.<label>" → model instance

    def user(self, role):
        return self.users.get(role)


def build_world(committee) -> World:
    from xieshang.core.tests.factories import HandlingUnitFactory

    from xieshang.proposals.tests import factories as pf

    unit_a = HandlingUnitFactory(committee=committee, name="州发展和改革委员会")
    unit_b = HandlingUnitFactory(committee=committee, name="州教育局")
    p_actors = pf.make_actors(committee, units=[unit_a])
    unit_b_user = pf.make_role_user(committee, "unit", unit=unit_b)
    admin = pf.make_role_user(committee, "admin")
    world = World(committee=committee)
    world.users = {
        "member": p_actors.proposer,
        "staff": p_actors.staff,
        "unit": p_actors.unit_users[0],
        "leader": p_actors.leader,
        "admin": admin,
        "anonymous": None,
    }
    world.others = {"member2": p_actors.cosigner, "unit2": unit_b_user}
    world.proposal_actors = p_actors
    build_core(world, unit_a)
    build_proposals(world)
    build_opinions(world)
    build_grassroots(world)
    build_consultation(world)
    # an id no row has: a page or path declared with obj="missing" must be the same 404 for everybody (an app
    # whose objects the world does not build yet declares its object pages this way first)
    world.objects["missing"] = SimpleNamespace(pk=2147483647)
    return world


def build_core(world: World, unit) -> None:
    """Rows of the organisation, each edited on an administration page (hidden from all but administrators)."""
    from xieshang.core import models
    from xieshang.core.tests import factories as cf

    c = world.committee
    member_user = world.users["member"]
    world.objects.update({
        "core.unit": unit,
        "core.member": member_user.memberships.get(committee=c),
        "core.user": member_user,
        "core.role": models.RoleAssignment.objects.filter(user=world.users["leader"], committee=c).first(),
        "core.term": models.Term.objects.filter(committee=c).first(),
        "core.session": models.Session.objects.filter(term__committee=c).first(),
        "core.sector": cf.SectorFactory(committee=c),
        "core.special_committee": models.SpecialCommittee.objects.create(committee=c, name="提案委员会"),
        "core.category": models.Category.objects.filter(committee=c).order_by("position").last(),
        "core.organization": cf.OrganizationFactory(committee=c),
        "core.station": cf.LiaisonStationFactory(committee=c),
        "core.studio": cf.StudioFactory(committee=c),
        "core.holiday": models.Holiday.objects.create(committee=c, date="2026-10-09", name="地方假日"),
        "core.notification": models.Notification.objects.create(committee=c, recipient=member_user, kind="probe",
                                                                title="通知"),
    })
    from xieshang.core.services import export_request

    world.objects["core.export"] = export_request(actor=member_user, committee=c, kind="proposals")


def build_proposals(world: World) -> None:
    from xieshang.proposals.tests.factories import walk_to

    actors = world.proposal_actors
    # own: a draft of the member (hidden from everybody else)
    world.objects["proposals.own_draft"], _ = walk_to("draft", actors=actors, cosign=False,
                                                     title="关于本人草稿的提案")
    # assigned: handled by the unit's unit
    world.objects["proposals.assigned"], _ = walk_to("handling", actors=actors, cosign=False,
                                                    title="关于交办承办单位的提案")
    # hidden: a draft of another member
    other = world.others["member2"]
    from xieshang.proposals import services

    world.objects["proposals.hidden_draft"] = services.proposal_create(
        actor=other, committee=world.committee, title="关于他人草稿的提案", body="建议：他人正文。")
    # public: closed, shown on the public portal when published
    world.objects["proposals.closed"], _ = walk_to("closed", actors=actors, cosign=False, title="关于已办结的提案")
    world.objects["proposals.reply"] = world.objects["proposals.closed"].replies.order_by("pk").first()


def build_opinions(world: World) -> None:
    from xieshang.opinions.tests import factories as of

    actors = of.Actors(
        committee=world.committee, author=world.users["member"], coauthor=world.others["member2"],
        other=world.others["member2"], staff=world.users["staff"], staff2=world.users["staff"],
        leader=world.users["leader"], unit=world.users["unit"], station=None,
        recipients=of.make_recipients(world.committee),
    )
    world.opinion_actors = actors
    world.objects["opinions.own_draft"] = of.walk_to("draft", actors, coauthors=[], title="关于本人草稿的信息")
    world.objects["opinions.forwarded"] = of.walk_to("forwarded", actors, coauthors=[], title="关于已报送的信息")
    world.objects["opinions.hidden_draft"] = of.draft(actors, author=world.others["member2"], coauthors=[],
                                                       title="关于他人草稿的信息")
    world.objects["opinions.bulletin"] = world.objects["opinions.forwarded"].bulletin
    world.objects["opinions.recipient"] = actors.recipients[0]
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from xieshang.opinions import services

    world.objects["opinions.commission"] = services.commission_create(
        actor=world.users["staff"], committee=world.committee, topic="关于乡村振兴的约稿", due_on=datetime.date(2026, 12, 31))
    world.objects["opinions.attachment"] = services.opinion_attachment_add(
        actor=world.users["member"], report=world.objects["opinions.own_draft"],
        file=SimpleUploadedFile("材料.pdf", b"%PDF-1.4 probe", content_type="application/pdf"))


# A tracking code of digits only (the alphabet has 2-9): the matrix fills a path's {tracking_code} from an
# object's pk, so the probe's answered demand carries this code and "grassroots.tracking" names it.
PROBE_TRACKING_CODE = 2345678923


def build_grassroots(world: World) -> None:
    """A public place with its keeper (others["keeper"]), a non-public studio; demands: referred to the unit's
    unit, recorded by the member, received (the keeper's only), answered and published (its tracking code is
    PROBE_TRACKING_CODE); activities: planned (organisers and readers only), held (with an outcome and a photo)."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from xieshang.core import clock
    from xieshang.grassroots import services
    from xieshang.grassroots.models import Demand
    from xieshang.grassroots.tests import factories as gf

    c = world.committee
    place = gf.make_place(c, name="探针社区委员联络站", reception_days="10,20", public=True)
    studio = gf.make_place(c, kind="member_studio", name="未公开的委员工作室", public=False)
    keeper = gf.make_keeper(c, place)
    world.others["keeper"] = keeper
    unit = world.objects["core.unit"]
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

    def record(text, actor=keeper, **data):
        return services.demand_create(actor=actor, committee=c, data={"text": text, "place": place.pk, **data})

    assigned = record("小区门口路灯坏了，请尽快修复。", phone="13800138000", name="张先生")
    services.demand_accept(actor=keeper, demand=assigned)
    services.demand_refer(actor=keeper, demand=assigned, unit=unit)
    hidden = services.demand_create(actor=keeper, committee=c, data={"text": "菜市场门口积水。", "place": place.pk,
                                                                     "phone": "13900139000"},
                                    photos=[SimpleUploadedFile("p.png", png, content_type="image/png")])
    own = record("委员走访时听到的诉求。", actor=world.users["member"])
    answered = record("公交站台缺少遮阳棚。", phone="13700137000")
    services.demand_answer(actor=keeper, demand=answered, text="已协调公交公司加装遮阳棚。")
    services.demand_publish(actor=keeper, demand=answered, summary="公交站台加装遮阳棚")
    Demand.objects.filter(pk=answered.pk).update(tracking_code=str(PROBE_TRACKING_CODE))
    world.objects.update({
        "grassroots.place": place, "grassroots.hidden_place": studio, "grassroots.assigned": assigned,
        "grassroots.own": own, "grassroots.hidden": hidden, "grassroots.answered": answered,
        "grassroots.photo": hidden.photos.get(),
        "grassroots.tracking": SimpleNamespace(pk=PROBE_TRACKING_CODE),
    })
    today = clock.today()
    planned = services.activity_create(actor=keeper, committee=c, data={
        "topic": "探针：筹备中的议事会", "date": (today + datetime.timedelta(days=10)).isoformat(), "place": place.pk})
    held = services.activity_create(actor=keeper, committee=c, data={
        "topic": "探针：已举行的议事会", "date": today.isoformat(), "place": place.pk,
        "members": [world.objects["core.member"].pk]})
    services.activity_publish(actor=keeper, activity=held)
    services.activity_hold(actor=keeper, activity=held, present=[world.objects["core.member"]], citizens_count=12,
                           minutes="议定事项。")
    outcome = services.outcome_add(actor=keeper, activity=held, data={"text": "加装电梯方案", "owner_kind": "unit",
                                                                       "owner_unit": unit.pk})
    photo = services.activity_photo_add(actor=keeper, activity=held,
                                        file=SimpleUploadedFile("现场.png", png, content_type="image/png"))
    world.objects.update({"grassroots.planned": planned, "grassroots.held": held, "grassroots.outcome": outcome,
                          "grassroots.activity_photo": photo})


def build_consultation(world: World) -> None:
    """Meetings: consultation.planned (the office's and leaders' only) and consultation.notified (the probe's member
    invited); made by xieshang/consultation/tests/probe_cases.build."""
    from xieshang.consultation.tests.probe_cases import build

    build(world)
