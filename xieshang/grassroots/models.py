"""Grassroots consultation (基层协商): places, consultation activities and citizens' demands.

- `Place` (站点) is this app's record of a core `LiaisonStation` or `Studio` (the rows keepers' roles are
  bound to): county, township, the reception rota, resident members and whether it is shown on the
  public portal. A sector studio belongs to a special committee.
- `Activity` (协商议事活动) is planned by a place or a special committee; a reception day (接待日) is an
  activity of kind `reception_day`. Members invited and present are `ActivityMember` rows; outcomes
  (成果清单) are `Outcome` rows, each with an owner, a due date and a state.
- `Demand` (诉求) comes from the public portal, a keeper or a member; it carries a `tracking_code` the
  citizen follows it by. The citizen's name and phone never leave through a public page or the API.

States, groups and the legal moves are in workflow.py; every write in services.py; every read that
depends on who asks in selectors.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xieshang.core import categories
from xieshang.core.models import (
    Committee, HandlingUnit, LiaisonStation, Member, SpecialCommittee, Studio,
)

TEXT_LIMIT = 2000  # characters of a demand's text
TOPIC_LIMIT = 120
ANSWER_LIMIT = 4000
MINUTES_LIMIT = 20000
PHOTO_LIMIT = 3  # photos per demand from the public portal
PHOTO_BYTES = 5 * 1024 * 1024

DemandCategory = categories.Category  # the default list's codes; the committee's own list is data


class PlaceKind(models.TextChoices):
    STATION = "station", _("liaison station")
    MEMBER_STUDIO = "member_studio", _("member studio")
    SECTOR_STUDIO = "sector_studio", _("sector studio")


class Place(models.Model):
    """站点: a liaison station or a studio as the grassroots app keeps it (exactly one of `station`, `studio`)."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee"))
    station = models.OneToOneField(
        LiaisonStation, on_delete=models.PROTECT, null=True, blank=True, related_name="place",
        verbose_name=_("liaison station"),
    )
    studio = models.OneToOneField(
        Studio, on_delete=models.PROTECT, null=True, blank=True, related_name="place", verbose_name=_("studio"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PlaceKind.choices)
    name = models.CharField(_("name"), max_length=80)  # the station's or studio's name, kept in step
    county = models.CharField(_("county or city"), max_length=40)
    township = models.CharField(_("township or street"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=120, blank=True)
    special_committee = models.ForeignKey(
        SpecialCommittee, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("special committee"),
    )
    # The reception rota: days of the month ("10,20") and how many members are on duty each time.
    reception_days = models.CharField(_("reception days of the month"), max_length=40, blank=True)
    on_duty = models.PositiveSmallIntegerField(_("members on duty"), default=2)
    opening_hours = models.CharField(_("opening hours"), max_length=60, blank=True)
    phone = models.CharField(_("public telephone"), max_length=30, blank=True)
    public = models.BooleanField(_("shown on the public portal"), default=True)
    members = models.ManyToManyField(Member, through="PlaceMember", related_name="+", verbose_name=_("resident members"))
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["committee", "county", "sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(station__isnull=False, studio__isnull=True, kind="station")
                           | Q(station__isnull=True, studio__isnull=False, kind__in=["member_studio", "sector_studio"])),
                name="place_one_station_or_studio",
            ),
        ]
        indexes = [models.Index(fields=["committee", "county"])]

    def __str__(self) -> str:
        return self.name

    def rota_days(self) -> list[int]:
        return [int(d) for d in self.reception_days.split(",") if d.strip().isdigit()]


class PlaceMember(models.Model):
    """A member resident at a place (who takes turns on its reception days)."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="residents")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("resident member")
        verbose_name_plural = _("resident members")
        constraints = [models.UniqueConstraint(fields=["place", "member"], name="placemember_unique")]


# --- Consultation activities ----------------------------------------------------------------------


class ActivityState(models.TextChoices):
    PLANNED = "planned", _("planned")  # being prepared; only the organisers see it
    PUBLISHED = "published", _("notice published")  # the notice is out (public when the place is public)
    HELD = "held", _("held")  # took place: attendance, minutes and outcomes recorded
    CLOSED = "closed", pgettext_lazy("activity", "closed")  # the record is complete
    CANCELLED = "cancelled", _("cancelled")


class ActivityKind(models.TextChoices):
    CONSULTATION = "consultation", _("consultation activity")
    RECEPTION_DAY = "reception_day", _("reception day")


class Activity(models.Model):
    """协商议事活动 (or 接待日) of a place, or of a special committee."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee"))
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices, default=ActivityKind.CONSULTATION)
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="activities", verbose_name=_("place"),
    )
    special_committee = models.ForeignKey(
        SpecialCommittee, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("special committee"),
    )
    topic = models.CharField(_("topic"), max_length=TOPIC_LIMIT)
    notice = models.TextField(_("notice"), blank=True)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    citizens_invited = models.CharField(_("citizens invited"), max_length=200, blank=True)
    units_invited = models.ManyToManyField(HandlingUnit, related_name="+", blank=True, verbose_name=_("departments invited"))
    units_present = models.ManyToManyField(
        HandlingUnit, related_name="+", blank=True, verbose_name=_("departments present"),
    )
    citizens_count = models.PositiveIntegerField(_("citizens present"), default=0)
    minutes = models.TextField(_("minutes"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=ActivityState.choices, default=ActivityState.PLANNED)
    version = models.PositiveIntegerField(default=1)
    published_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    # None: planned by the scheduler (a reception day from the place's rota)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consultation activity")
        verbose_name_plural = _("consultation activities")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(place__isnull=False) | Q(special_committee__isnull=False),
                name="activity_has_organiser",
            ),
            models.CheckConstraint(condition=Q(citizens_count__lte=100000), name="activity_citizens_bounded"),
            models.UniqueConstraint(fields=["place", "date"], condition=Q(kind="reception_day"),
                                    name="activity_one_reception_day"),
        ]
        indexes = [
            models.Index(fields=["committee", "date"]),
            models.Index(fields=["place", "date"]),
        ]

    def __str__(self) -> str:
        return self.topic

    @property
    def organiser(self):
        return self.place or self.special_committee


class Attendance(models.TextChoices):
    INVITED = "invited", _("invited")
    PRESENT = "present", _("present")
    LEAVE = "leave", _("on leave")
    ABSENT = "absent", _("absent")


class ActivityMember(models.Model):
    """A member invited to (or on duty at) an activity, and whether they came."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("attendance"), max_length=8, choices=Attendance.choices, default=Attendance.INVITED)

    class Meta:
        verbose_name = _("participating member")
        verbose_name_plural = _("participating members")
        constraints = [models.UniqueConstraint(fields=["activity", "member"], name="activitymember_unique")]


class OutcomeState(models.TextChoices):
    OPEN = "open", _("in progress")
    DONE = "done", _("done")


class OwnerKind(models.TextChoices):
    UNIT = "unit", _("handling unit")
    COMMITTEE = "committee", _("the committee")
    MEMBER = "member", _("member")


class Outcome(models.Model):
    """One line of an activity's outcome list (成果清单): who owns it, when it is due, whether it is done."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="outcomes")
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("outcome"), max_length=500)
    owner_kind = models.CharField(_("owner"), max_length=10, choices=OwnerKind.choices)
    owner_unit = models.ForeignKey(HandlingUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    owner_member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    due_on = models.DateField(_("due date"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=OutcomeState.choices, default=OutcomeState.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("progress note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["activity", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_kind="unit", owner_unit__isnull=False, owner_member__isnull=True)
                           | Q(owner_kind="member", owner_member__isnull=False, owner_unit__isnull=True)
                           | Q(owner_kind="committee", owner_unit__isnull=True, owner_member__isnull=True)),
                name="outcome_owner_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def owner(self):
        return self.owner_unit or self.owner_member or self.committee


# --- Demands ------------------------------------------------------------------------------------------


class DemandState(models.TextChoices):
    RECEIVED = "received", _("received")  # waiting for the place to accept it
    ACCEPTED = "accepted", _("accepted")  # the place holds it
    DECLINED = "declined", _("declined")  # not taken up, with a reason the citizen sees (final)
    REFERRED = "referred", _("referred to a unit")  # a handling unit holds it
    CONVERTED = "converted", _("turned into a proposal or report")  # a member's draft carries it on
    ANSWERED = "answered", pgettext_lazy("demand", "answered")  # waiting for the citizen's confirmation
    CLOSED = "closed", pgettext_lazy("demand", "closed")  # final


class DemandSource(models.TextChoices):
    PORTAL = "portal", _("public portal")
    KEEPER = "keeper", _("recorded by a keeper")
    MEMBER = "member", _("recorded by a member")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    UNSATISFIED = "unsatisfied", _("not satisfied")
    UNCONFIRMED = "unconfirmed", _("closed without confirmation")


class Demand(categories.Categorized, models.Model):
    """诉求: a citizen's request or problem, followed by its tracking code until it is answered and closed."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+", verbose_name=_("committee"))
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="demands", verbose_name=_("place"))
    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="demands",
        verbose_name=_("consultation activity"),
    )
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    source = models.CharField(_("source"), max_length=8, choices=DemandSource.choices)
    text = models.TextField(_("text"))
    category = models.CharField(_("category"), max_length=16, default=DemandCategory.OTHER)  # a code of the committee's list
    # Personal data: shown only to the place's keepers, the unit it is referred to, staff and leaders.
    citizen_name = models.CharField(_("name"), max_length=40, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, db_index=True)
    state = models.CharField(_("state"), max_length=12, choices=DemandState.choices, default=DemandState.RECEIVED)
    version = models.PositiveIntegerField(default=1)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due date"), null=True, blank=True)  # copied from the open deadline, for lists
    unit = models.ForeignKey(
        HandlingUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("handling unit"),
    )
    decline_reason = models.CharField(_("reason"), max_length=1000, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by_unit = models.ForeignKey(HandlingUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answered_late = models.BooleanField(default=False)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    citizen_comment = models.CharField(_("citizen's comment"), max_length=1000, blank=True)
    reopened = models.PositiveSmallIntegerField(default=0)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # Converted into a member's draft (linked both ways: the draft's text names the tracking code).
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("member"))
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="demands")
    opinion = models.ForeignKey("opinions.OpinionReport", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="demands")
    # Published on the portal: a summary and the answer without personal data (written by the place).
    public = models.BooleanField(_("published"), default=False)
    public_summary = models.CharField(_("public summary"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(state="referred") | Q(unit__isnull=False), name="demand_referred_has_unit"),
            models.CheckConstraint(condition=~Q(state="declined") | ~Q(decline_reason=""), name="demand_declined_has_reason"),
        ]
        indexes = [
            models.Index(fields=["committee", "state", "due_on"]),
            models.Index(fields=["place", "state", "due_on"]),
            models.Index(fields=["unit", "state", "due_on"]),
            models.Index(fields=["committee", "received_on"]),
            models.Index(fields=["committee", "public", "answered_on", "id"], name="demand_published"),
            models.Index(fields=["answered_by_unit", "state"], name="demand_answered_by_unit"),
        ]

    def __str__(self) -> str:
        return self.tracking_code


class DemandPhoto(models.Model):
    """A photo a citizen or keeper sent with a demand (checked: image type and size)."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="demands/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class PhoneCode(models.Model):
    """A one-time SMS code that confirms a phone number on the public portal: it expires, is used once and
    allows a few wrong tries. Only a hash of the code is kept."""

    class Purpose(models.TextChoices):
        SUBMIT = "submit", _("submit a demand")
        FOLLOW = "follow", _("follow my demands")

    phone = models.CharField(max_length=20, db_index=True)
    purpose = models.CharField(max_length=8, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    demand = models.ForeignKey(Demand, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["phone", "created_at"]), models.Index(fields=["address", "created_at"])]
