"""The grassroots app in the probe's access matrix (core/tests/test_probe_matrix.py; the world: core/tests/probe.py,
build_grassroots).

Objects: grassroots.place (a public station; its keeper is not one of the probe's roles), grassroots.hidden_place
(a studio not shown on the portal), demands grassroots.assigned (referred to the probe unit's unit),
grassroots.own (recorded by the probe member), grassroots.hidden (a keeper's, received; with a photo),
grassroots.answered (answered and published; tracking code grassroots.tracking), activities grassroots.planned
(only organisers and readers see it) and grassroots.held (everybody signed in; an outcome and a photo).

Places are public facts for everybody signed in. Staff, administrators and leaders read every demand; a unit's
user those referred to its unit; a member those they recorded. The keeper's own screens (the station board)
exist for nobody in the probe (404). The public portal's pages answer everybody alike, signed in or not.
"""

from xieshang.core.tests.probe import EVERYONE, OFFICE, SIGNED_IN, Creator, Endpoint, Page

NOBODY = frozenset()
READERS = OFFICE | {"leader"}
ME = frozenset({"member"})
UNIT = frozenset({"unit"})
RECORDERS = OFFICE | ME  # who may record a demand: keepers, staff, members
SEEN = SIGNED_IN - OFFICE  # the roles that see a held activity but do not organise it
PUBLIC_404 = (("anonymous", 404),)  # a public page that does not exist: 404 for everybody, no sign-in page

PAGES = [
    # Demands (诉求)
    Page("grassroots:board", ok=NOBODY),  # keepers only
    Page("grassroots:inbox", ok=UNIT),
    Page("grassroots:demands", ok=READERS),
    Page("grassroots:mine", ok=RECORDERS),
    Page("grassroots:demand_new", ok=RECORDERS),
    Page("grassroots:demand", obj="grassroots.assigned", ok=READERS | UNIT),
    Page("grassroots:demand", obj="grassroots.own", ok=READERS | ME),
    Page("grassroots:demand", obj="grassroots.hidden", ok=READERS),
    Page("grassroots:demand", obj="missing", ok=NOBODY),
    Page("grassroots:demand_act", obj="grassroots.hidden", args=(("action", "accept"),), ok=OFFICE, method="post",
         status=(("leader", 403),)),
    Page("grassroots:demand_act", obj="grassroots.own", args=(("action", "accept"),), ok=OFFICE, method="post",
         status=(("leader", 403), ("member", 403))),
    Page("grassroots:demand_photo", obj="grassroots.hidden", args=(("photo_id", "@grassroots.photo"),), ok=READERS),
    Page("grassroots:demand_photo", obj="grassroots.own", args=(("photo_id", "@grassroots.photo"),),
         ok=NOBODY),  # another demand's photo
    # Consultation activities (协商议事活动)
    Page("grassroots:activities"),
    Page("grassroots:activity_new", ok=OFFICE),
    Page("grassroots:activity", obj="grassroots.planned", ok=READERS),
    Page("grassroots:activity", obj="grassroots.held"),
    Page("grassroots:activity", obj="missing", ok=NOBODY),
    Page("grassroots:activity_edit", obj="grassroots.planned", ok=OFFICE, status=(("leader", 403),)),
    Page("grassroots:activity_record", obj="grassroots.held", ok=OFFICE,
         status=tuple((r, 403) for r in SEEN)),
    Page("grassroots:activity_act", obj="grassroots.planned", args=(("action", "publish"),), ok=OFFICE,
         method="post", status=(("leader", 403),)),
    Page("grassroots:outcome_add", obj="grassroots.held", ok=OFFICE, method="post",
         status=tuple((r, 403) for r in SEEN)),
    Page("grassroots:outcome_done", obj="grassroots.held", args=(("outcome_id", "@grassroots.outcome"),), ok=OFFICE,
         method="post", status=tuple((r, 403) for r in SEEN)),
    Page("grassroots:activity_photo_add", obj="grassroots.held", ok=OFFICE, method="post",
         status=tuple((r, 403) for r in SEEN)),
    Page("grassroots:activity_photo", obj="grassroots.held", args=(("photo_id", "@grassroots.activity_photo"),)),
    Page("grassroots:activity_photo", obj="grassroots.planned", args=(("photo_id", "@grassroots.activity_photo"),),
         ok=NOBODY),  # another activity's photo
    Page("grassroots:activity_photo_remove", obj="grassroots.held",
         args=(("photo_id", "@grassroots.activity_photo"),), ok=OFFICE, method="post",
         status=tuple((r, 403) for r in SEEN)),
    Page("grassroots:activity_docx", obj="grassroots.held"),
    Page("grassroots:activity_docx", obj="grassroots.planned", ok=NOBODY),  # no minutes before it is held
    # Places (站点)
    Page("grassroots:places"),
    Page("grassroots:place_new", ok=OFFICE),
    Page("grassroots:place", obj="grassroots.place"),
    Page("grassroots:place", obj="grassroots.hidden_place"),
    Page("grassroots:place", obj="missing", ok=NOBODY),
    Page("grassroots:place_edit", obj="grassroots.place", ok=OFFICE),
    Page("grassroots:place_docx", obj="grassroots.place", ok=READERS),
    Page("grassroots:my_stations", ok=ME),
    Page("grassroots:overview", ok=READERS),
    # The public portal (no account; signed in or not, the same)
    Page("grassroots_public:places", ok=EVERYONE),
    Page("grassroots_public:place", obj="grassroots.place", ok=EVERYONE),
    Page("grassroots_public:place", obj="grassroots.hidden_place", ok=NOBODY, status=PUBLIC_404),
    Page("grassroots_public:activities", ok=EVERYONE),
    Page("grassroots_public:answers", ok=EVERYONE),
    Page("grassroots_public:submit", ok=EVERYONE),
    Page("grassroots_public:submit_form", ok=EVERYONE),
    Page("grassroots_public:thanks", ok=EVERYONE, ok_status=302),  # nothing sent yet: back to the first step
    Page("grassroots_public:track", ok=EVERYONE),
    Page("grassroots_public:track_detail", args=(("code", "@grassroots.tracking"),), ok=EVERYONE),
    Page("grassroots_public:track_detail", args=(("code", "@missing"),), ok=NOBODY, status=PUBLIC_404),
    Page("grassroots_public:track_confirm", args=(("code", "@grassroots.tracking"),), ok=EVERYONE, method="post"),
    Page("grassroots_public:follow", ok=EVERYONE),
    Page("grassroots_public:follow_code", ok=EVERYONE),
    Page("grassroots_public:follow_list", ok=EVERYONE, ok_status=302),  # no phone confirmed: back to step one
    Page("grassroots_public:follow_end", ok=EVERYONE, method="post"),
]

API = [
    Endpoint("/api/v1/places"),
    Endpoint("/api/v1/places/{id}", obj="grassroots.place"),
    Endpoint("/api/v1/places/{id}", obj="grassroots.hidden_place"),
    Endpoint("/api/v1/places/{id}", obj="missing", ok=NOBODY),
    Endpoint("/api/v1/activities"),
    Endpoint("/api/v1/demands"),
    Endpoint("/api/v1/public/places", ok=EVERYONE),
    Endpoint("/api/v1/public/demands/{tracking_code}", args=(("tracking_code", "@grassroots.tracking"),), ok=EVERYONE),
    Endpoint("/api/v1/public/demands/{tracking_code}", args=(("tracking_code", "@missing"),), ok=NOBODY,
             status=PUBLIC_404),
]
for path in ("/api/v1/activities/{id}", "/api/v1/activities/{id}/events"):
    API += [
        Endpoint(path, obj="grassroots.planned", ok=READERS),
        Endpoint(path, obj="grassroots.held"),
        Endpoint(path, obj="missing", ok=NOBODY),
    ]
for path in ("/api/v1/demands/{id}", "/api/v1/demands/{id}/events"):
    API += [
        Endpoint(path, obj="grassroots.assigned", ok=READERS | UNIT),
        Endpoint(path, obj="grassroots.own", ok=READERS | ME),
        Endpoint(path, obj="grassroots.hidden", ok=READERS),
        Endpoint(path, obj="missing", ok=NOBODY),
    ]


# --- Hostile input (core/tests/test_probe_hostile.py) ---------------------------------------------------------


def _demand(world, text):
    from xieshang.grassroots import services

    return services.demand_create(actor=world.users["staff"], committee=world.committee, data={
        "text": text, "name": text[:40], "place": world.objects["grassroots.place"].pk})


def _demand_pages(world, demand):
    from django.urls import reverse

    return [("staff", reverse("grassroots:demand", args=[demand.pk]), "html"),
            ("staff", reverse("grassroots:demands"), "html"),
            ("staff", reverse("grassroots:demands") + "?format=xlsx", "xlsx"),
            ("staff", f"/api/v1/demands/{demand.pk}", "json"),
            ("staff", f"/api/v1/demands/{demand.pk}/events", "json")]


def _answered(world, text):
    """A demand answered and published with the hostile text as answer and summary: the public pages show it."""
    from xieshang.grassroots import services

    demand = _demand(world, "公交站台缺少遮阳棚。")
    services.demand_answer(actor=world.users["staff"], demand=demand, text=text)
    return services.demand_publish(actor=world.users["staff"], demand=demand, summary=text[:500])


def _answered_pages(world, demand):
    from django.urls import reverse

    return [("member", reverse("grassroots_public:track_detail", args=[demand.tracking_code]), "html"),
            ("member", reverse("grassroots_public:answers"), "html"),
            ("member", f"/api/v1/public/demands/{demand.tracking_code}", "json"),
            ("staff", reverse("grassroots:demand", args=[demand.pk]), "html")]


def _activity(world, text):
    import datetime

    from xieshang.core import clock
    from xieshang.grassroots import services

    activity = services.activity_create(actor=world.users["staff"], committee=world.committee, data={
        "topic": text[:120], "notice": text, "location": text[:120], "date": clock.today().isoformat(),
        "place": world.objects["grassroots.place"].pk})
    services.activity_publish(actor=world.users["staff"], activity=activity)
    services.activity_hold(actor=world.users["staff"], activity=activity, minutes=text)
    services.outcome_add(actor=world.users["staff"], activity=activity, data={
        "text": text[:500], "owner_kind": "committee", "due_on": (clock.today() + datetime.timedelta(days=30)).isoformat()})
    return activity


def _activity_pages(world, activity):
    from django.urls import reverse

    return [("staff", reverse("grassroots:activity", args=[activity.pk]), "html"),
            ("member", reverse("grassroots:activities"), "html"),
            ("member", reverse("grassroots_public:activities"), "html"),
            ("staff", reverse("grassroots:activity_docx", args=[activity.pk]), "docx"),
            ("staff", f"/api/v1/activities/{activity.pk}", "json")]


CREATORS = [
    Creator("grassroots.demand", _demand, _demand_pages),
    Creator("grassroots.answer", _answered, _answered_pages),
    Creator("grassroots.activity", _activity, _activity_pages),
]
