"""The organisation model, people and roles, the audit trail, the calendar and notifications.

Every domain row belongs to a committee (directly or through its parent row), so one
installation can host a whole province. Invariants live in the database as constraints.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class User(AbstractUser):
    """A person who signs in. Roles are held per committee (`RoleAssignment`)."""

    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # The interface language the person last chose (the header's switch); notifications and e-mails to them are
    # written in it (core.notices.language_of). Empty: the site's default, Chinese.
    language = models.CharField(_("language"), max_length=8, blank=True, default="")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Every process reads the signed-in user from the shared cache (core.auth): forget it, so that a
        # new password, a deactivation or a new name takes effect on the next request.
        from .cache import forget

        forget(users=[self.pk])

    # A user read from the hot cache (core.auth, ADR 0009) has no password hash, only the session hashes
    # derived from it; Django's session check (django.contrib.auth.get_user) compares against these.
    def get_session_auth_hash(self):
        hashes = self.__dict__.get("_xieshang_session_hashes")
        return hashes[0] if hashes else super().get_session_auth_hash()

    def get_session_auth_fallback_hash(self):
        hashes = self.__dict__.get("_xieshang_session_hashes")
        if hashes:
            yield from hashes[1]
        else:
            yield from super().get_session_auth_fallback_hash()


class Committee(models.Model):
    """政协委员会: one CPPCC committee at one level."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("national")
        PROVINCIAL = "provincial", _("provincial")
        PREFECTURE = "prefecture", _("prefecture")
        COUNTY = "county", _("county")

    code = models.SlugField(_("code"), max_length=32, unique=True, help_text=_("Short code used in URLs and commands."))
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent committee"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    portal_name = models.CharField(_("public portal name"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Staff and leaders of this committee must sign in with a second factor (administrators always must).
    require_second_factor = models.BooleanField(_("second factor required for staff and leaders"), default=False)

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="committee_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    """届: a five-year term, e.g. 第十三届."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="terms", verbose_name=_("committee"))
    number = models.PositiveSmallIntegerField(_("number"))
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"))
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["committee", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "number"], name="term_unique_number"),
            models.UniqueConstraint(fields=["committee"], condition=Q(is_current=True), name="term_one_current"),
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="term_years_ordered"),
        ]

    def __str__(self) -> str:
        from .formats import term_label

        return term_label(self.number)


class Session(models.Model):
    """次会议: one yearly plenary session of a term."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("term"))
    number = models.PositiveSmallIntegerField(_("number"))
    year = models.PositiveSmallIntegerField(_("year"))
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["term", "number"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="session_unique_number"),
            models.UniqueConstraint(fields=["term", "year"], name="session_unique_year"),
        ]

    @property
    def committee(self) -> Committee:
        return self.term.committee

    def __str__(self) -> str:
        from .formats import session_label

        return session_label(self.term.number, self.number)


class CommitteeScoped(models.Model):
    """A row that belongs to one committee."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, verbose_name=_("committee"), related_name="+")

    class Meta:
        abstract = True


class Sector(CommitteeScoped):
    """界别: the constituency a member represents."""

    name = models.CharField(_("name"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["committee", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="sector_unique_name")]

    def __str__(self) -> str:
        return self.name


class SpecialCommittee(CommitteeScoped):
    """专门委员会: a standing working committee (提案委员会, 经济委员会 …)."""

    name = models.CharField(_("name"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("special committee")
        verbose_name_plural = _("special committees")
        ordering = ["committee", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="specialcommittee_unique_name")]

    def __str__(self) -> str:
        return self.name


class Organization(CommitteeScoped):
    """参加单位 / 党派团体: parties, groups and federations that take part."""

    class Kind(models.TextChoices):
        PARTY = "party", _("democratic party")
        GROUP = "group", _("people's organization")
        NON_PARTY = "non_party", _("non-party personage")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["committee", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="organization_unique_name")]

    def __str__(self) -> str:
        return self.name


class HandlingUnit(CommitteeScoped):
    """承办单位: a government department or body that handles proposals."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("government department")
        PARTY = "party", _("Party department")
        COURT = "judicial", _("court or procuratorate")
        ENTERPRISE = "enterprise", _("public institution or enterprise")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=80)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    # Other names the unit goes by (former names, names in common use), separated by 、 or commas: the
    # pickers find the unit by them (core.pickers).
    aliases = models.CharField(_("other names"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.GOVERNMENT)
    # The office's order of the units within their kind (smaller first; then by name).
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    contact_person = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("handling unit")
        verbose_name_plural = _("handling units")
        ordering = ["committee", "name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="handlingunit_unique_name")]

    def __str__(self) -> str:
        return self.name


class PartyCommittee(CommitteeScoped):
    """党委: the local Party committee the committee reports to."""

    name = models.CharField(_("name"), max_length=80)

    class Meta:
        verbose_name = _("Party committee")
        verbose_name_plural = _("Party committees")
        constraints = [models.UniqueConstraint(fields=["committee"], name="partycommittee_one_per_committee")]

    def __str__(self) -> str:
        return self.name


class Category(CommitteeScoped):
    """类别: one subject category of the committee's own list, shared by proposals, opinion reports and demands
    (issue #16, docs/architecture.md "Categories as data"). The records store `code`; the label shown is
    `name` (as the committee writes it), or `name_en` in English when given. Read through
    `core.categories.catalogue` (cached), written through its services (audited)."""

    code = models.SlugField(_("code"), max_length=16, allow_unicode=False)
    name = models.CharField(_("name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["committee", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "code"], name="category_unique_code"),
            models.UniqueConstraint(fields=["committee", "name"], name="category_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


# --- Grassroots places: liaison stations and studios (roles are bound to them) ----------------------


class LiaisonStation(CommitteeScoped):
    """委员联络站: a place where members meet the public (in a town, street or community)."""

    name = models.CharField(_("name"), max_length=80)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=120, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("liaison station")
        verbose_name_plural = _("liaison stations")
        ordering = ["committee", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="liaisonstation_unique_name")]

    def __str__(self) -> str:
        return self.name


class Studio(CommitteeScoped):
    """委员工作室 (of one member) or 界别委员工作室 (of a sector): a member's or a sector's grassroots studio."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("member studio")
        SECTOR = "sector", _("sector studio")

    name = models.CharField(_("name"), max_length=80)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.MEMBER)
    address = models.CharField(_("address"), max_length=120, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("studio")
        verbose_name_plural = _("studios")
        ordering = ["committee", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="studio_unique_name"),
            models.CheckConstraint(condition=Q(kind__in=["member", "sector"]), name="studio_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Member(CommitteeScoped):
    """委员: a CPPCC member of one committee. A person may be a member of several committees."""

    class Gender(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=40)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="members", verbose_name=_("term"))
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("sector"))
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("organization")
    )
    special_committees = models.ManyToManyField(SpecialCommittee, blank=True, verbose_name=_("special committees"))
    is_standing_committee_member = models.BooleanField(_("standing committee member"), default=False)
    employer = models.CharField(_("employer and post"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["committee", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "user"], name="member_one_per_committee"),
        ]
        indexes = [models.Index(fields=["committee", "sector"])]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """Roles are held per committee; one person may hold several, in several committees."""

    ADMIN = "admin", _("administrator")
    STAFF = "staff", _("office staff")
    LEADER = "leader", _("leader")
    UNIT = "unit", _("handling unit user")
    STATION = "station", _("station keeper")
    MEMBER = "member", _("member")


class RoleAssignment(CommitteeScoped):
    """One role of a user in a committee, bound to its scope: a handling-unit user to one handling unit, a
    station keeper to one liaison station or studio; office staff and leaders may be bound to a special
    committee (提案委员会 staff …); other roles name no scope. The database enforces it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    handling_unit = models.ForeignKey(
        HandlingUnit, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("handling unit")
    )
    liaison_station = models.ForeignKey(
        "LiaisonStation", on_delete=models.PROTECT, null=True, blank=True, related_name="roles",
        verbose_name=_("liaison station"),
    )
    studio = models.ForeignKey(
        "Studio", on_delete=models.PROTECT, null=True, blank=True, related_name="roles", verbose_name=_("studio"),
    )
    special_committee = models.ForeignKey(
        SpecialCommittee, on_delete=models.PROTECT, null=True, blank=True, related_name="roles",
        verbose_name=_("special committee"),
    )

    # The scope fields, in the order a role's scope is looked for.
    SCOPE_FIELDS = ("handling_unit", "liaison_station", "studio", "special_committee")

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            # One row per user, committee, role and scope.
            models.UniqueConstraint(fields=["user", "committee", "role", "handling_unit"], name="role_unique"),
            models.UniqueConstraint(
                fields=["user", "committee", "role", "liaison_station"], condition=Q(liaison_station__isnull=False),
                name="role_unique_station",
            ),
            models.UniqueConstraint(
                fields=["user", "committee", "role", "studio"], condition=Q(studio__isnull=False),
                name="role_unique_studio",
            ),
            models.UniqueConstraint(
                fields=["user", "committee", "role", "special_committee"],
                condition=Q(special_committee__isnull=False), name="role_unique_special_committee",
            ),
            models.UniqueConstraint(
                fields=["user", "committee", "role"],
                condition=Q(handling_unit__isnull=True, liaison_station__isnull=True, studio__isnull=True,
                            special_committee__isnull=True),
                name="role_unique_noscope",
            ),
            # A handling-unit user is bound to exactly one unit; no other role names a unit.
            models.CheckConstraint(
                condition=(Q(role="unit", handling_unit__isnull=False) | (~Q(role="unit") & Q(handling_unit__isnull=True))),
                name="role_unit_iff_handling_unit",
            ),
            # A station keeper is bound to exactly one liaison station or studio; no other role names one.
            models.CheckConstraint(
                condition=(
                    Q(role="station", liaison_station__isnull=False, studio__isnull=True)
                    | Q(role="station", liaison_station__isnull=True, studio__isnull=False)
                    | (~Q(role="station") & Q(liaison_station__isnull=True, studio__isnull=True))
                ),
                name="role_station_iff_one_place",
            ),
            # Only office staff and leaders may be bound to a special committee.
            models.CheckConstraint(
                condition=Q(special_committee__isnull=True) | Q(role__in=["staff", "leader"]),
                name="role_special_committee_staff_or_leader",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.committee}"

    @property
    def scope(self):
        """The handling unit, liaison station, studio or special committee this role is bound to, or None."""
        for name in self.SCOPE_FIELDS:
            if getattr(self, f"{name}_id") is not None:
                return getattr(self, name)
        return None


# --- Audit -----------------------------------------------------------------


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: D401 - the audit table is append-only
        raise PermissionDenied("audit events are append-only")

    def delete(self):
        raise PermissionDenied("audit events are append-only")

    def for_object(self, obj):
        ct = ContentType.objects.get_for_model(obj.__class__)
        return self.filter(content_type=ct, object_id=str(obj.pk))


class Event(models.Model):
    """The one append-only audit table: who did what to which object, from which state to which.

    Written only by `xieshang.core.audit.record`; the application has no way to change or
    delete a row (the model refuses, and database triggers refuse too).
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("committee")
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    from_state = models.CharField(_("from state"), max_length=32, blank=True)
    to_state = models.CharField(_("to state"), max_length=32, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("audit events are append-only")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class LoginFailure(models.Model):
    """One failed sign-in (or second-factor code), counted per account and address, per address, and per
    account from every address (core.sign_in)."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        # Failures are counted per (account, address) and per address (core.sign_in).
        indexes = [models.Index(fields=["ip_address", "created_at"], name="loginfailure_address_time")]


# --- Working-day calendar ---------------------------------------------------


class Holiday(models.Model):
    """A day that differs from the plain Monday–Friday week.

    `is_working_day=False` marks a holiday on a weekday; `True` marks a make-up working day
    (调休上班) on a weekend. A row with a committee applies only to that committee (a local
    holiday); rows without one are national.
    """

    date = models.DateField(_("date"))
    is_working_day = models.BooleanField(_("working day"), default=False)
    name = models.CharField(_("name"), max_length=40, blank=True)
    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("committee")
    )

    class Meta:
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date"], condition=Q(committee__isnull=True), name="holiday_unique_national"),
            models.UniqueConstraint(fields=["date", "committee"], name="holiday_unique_local"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class TimerSetting(CommitteeScoped):
    """A committee's own value for one of the timers (defaults in `xieshang.core.timers`)."""

    class Unit(models.TextChoices):
        DAYS = "days", _("calendar days")
        WORKING_DAYS = "working_days", _("working days")
        MONTHS = "months", _("months")

    key = models.CharField(_("timer"), max_length=48)
    amount = models.PositiveSmallIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)

    class Meta:
        verbose_name = _("timer")
        verbose_name_plural = _("timers")
        constraints = [models.UniqueConstraint(fields=["committee", "key"], name="timer_unique_key")]

    def __str__(self) -> str:
        return f"{self.key}: {self.amount} {self.get_unit_display()}"


# --- Notifications ----------------------------------------------------------


class Notification(models.Model):
    """One message to one user: shown in the in-app inbox, and delivered on other channels."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=48)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Set when the same reminder must never go out twice (e.g. "proposal 42 due in 3 days").
    dedupe_key = models.CharField(max_length=120, null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_unique_dedupe"),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """The delivery of one notification on one outside channel (e-mail, SMS)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        # committed (with claimed_at) before the message leaves; another run leaves it alone until it is older
        # than XIESHANG_TASK_STALE_SECONDS (its worker died mid-send), then sends again with the same idempotency
        # key, which a gateway that accepts one answers without sending twice
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=200)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    # given once, before the first attempt, and passed on every attempt (the gateway's de-duplication key)
    idempotency_key = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # when a run last took the row ("sending"): the row is that run's until it is stale (core.tasks._claim)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_unique_channel")]


class Attachment(CommitteeScoped):
    """An uploaded file attached to any object (reply letters, minutes, photos …)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    purpose = models.CharField(_("purpose"), max_length=32, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.original_name


# --- Duty ledger ----------------------------------------------------------------


class DutyFact(CommitteeScoped):
    """履职: one fact of a member's duty record — this member earned credit of `kind` for that object
    (first proposer of a registered proposal, co-signer, opinion report adopted at province level …).

    Written only by `xieshang.core.duty.duty_fact_record` / `duty_fact_remove`, called explicitly by the
    apps' services; one row per (member, kind, object). Kinds are declared by the apps
    (`Declarations.duty_kinds`); core knows none. Scoring (a later issue) reads these rows.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="duty_facts", verbose_name=_("member"))
    kind = models.CharField(_("kind"), max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    # How much of the kind: 1 for one proposal or report; hours or days for later hand entries (two decimals).
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2, default=1)
    authors = models.PositiveSmallIntegerField(_("authors"), default=1)  # how many share the credit for the object
    lead = models.BooleanField(_("first author"), default=True)  # this member is the first of them
    occurred_on = models.DateField(_("date"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("duty fact")
        verbose_name_plural = _("duty facts")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "content_type", "object_id"], name="dutyfact_unique"),
            models.CheckConstraint(condition=Q(authors__gte=1), name="dutyfact_authors_positive"),
        ]
        indexes = [
            models.Index(fields=["member", "occurred_on"], name="dutyfact_member_day"),
            models.Index(fields=["content_type", "object_id"], name="dutyfact_object"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.kind} · {self.occurred_on}"


# --- Deadlines ------------------------------------------------------------------


class Deadline(CommitteeScoped):
    """One deadline that runs for an object (xieshang.core.deadlines): a proposal's reply by one unit,
    its evaluation by the proposer, an opinion report's editing …; one row per (object, kind, party).

    `kind` is a name declared by an app (`Declarations.deadline_kinds`, e.g. "proposal.reply"); `party`
    says who owes it when the object has several ("assignment:<id>" for a proposal's unit; "" for none).
    `state`: open; extended (the due date was moved: still open, reminded as open); met; waived (no longer
    owed). Written only through the services of xieshang.core.deadlines; the reminder job keeps
    `last_reminded_on` so that no reminder goes out twice.
    """

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("deadline", "open")
        EXTENDED = "extended", pgettext_lazy("deadline", "extended")
        MET = "met", pgettext_lazy("deadline", "met")
        WAIVED = "waived", pgettext_lazy("deadline", "waived")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=64)
    party = models.CharField(_("party"), max_length=64, blank=True, default="")
    due_on = models.DateField(_("due on"))
    original_due_on = models.DateField(_("originally due on"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    last_reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)
    overdue_notified_on = models.DateField(_("overdue notice sent on"), null=True, blank=True)
    met_on = models.DateField(_("met on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "kind", "party"], name="deadline_unique"),
            models.CheckConstraint(condition=Q(state__in=["open", "extended", "met", "waived"]), name="deadline_state_valid"),
        ]
        indexes = [models.Index(fields=["state", "due_on"], name="deadline_state_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.party} · {self.due_on} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.OPEN, self.State.EXTENDED)


# --- Periodic jobs ------------------------------------------------------------


class JobRun(models.Model):
    """One run of a periodic job for one time slot (see `xieshang.core.scheduler`).

    The unique (job, slot) pair is the claim: when several scheduler copies run, the one whose
    insert succeeds runs the job for that slot; the others skip it.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    job = models.CharField(_("job"), max_length=100)
    slot = models.DateTimeField(_("time slot"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.RUNNING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    host = models.CharField(_("host"), max_length=100, blank=True)
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-slot", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="jobrun_unique_slot")]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"{self.job} @ {timezone.localtime(self.slot):%Y-%m-%d %H:%M}"


# --- Background exports ---------------------------------------------------------


class Export(models.Model):
    """A file one user asked for, written by the worker (xieshang.core.exports): e.g. a proposal list
    too long to export within the request. Only the requester may download it, until `expires_at`."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")  # waiting for the worker
        RUNNING = "running", _("being prepared")  # the worker is writing the file
        DONE = "done", _("ready")  # the file is there (until expires_at)
        FAILED = "failed", _("failed")  # nothing to download; `error` says why

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+", verbose_name=_("committee"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports", verbose_name=_("requested by")
    )
    kind = models.CharField(_("kind"), max_length=32)  # a key of xieshang.core.exports.KINDS
    params = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=16)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="export_by_requester"),
            models.Index(fields=["state", "expires_at"], name="export_by_state"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=["queued", "running", "done", "failed"]), name="export_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class SearchEntry(models.Model):
    """The text search index of every kind of object (xieshang/core/search.py, ADR 0007).

    Migration 0009 creates the table differently per database — PostgreSQL: rows (kind, object_id,
    part, committee_id, version, digest, vector tsvector) with a GIN index, a very long document taking
    several parts; SQLite: an FTS5 table whose rowid encodes (kind, object_id). search.py reads and
    writes it with SQL only; this model lets Django know the table (row counts, test databases emptied
    between tests).
    """

    pk = models.CompositePrimaryKey("kind", "object_id", "part")
    kind = models.CharField(max_length=40)  # a key of Declarations.search_kinds ("proposal" …)
    object_id = models.BigIntegerField()
    part = models.SmallIntegerField(default=0)  # PostgreSQL: the parts of a very long document
    committee_id = models.BigIntegerField()
    version = models.PositiveIntegerField(default=0)  # the object's version when its document was last written
    # "<format>:<hash of the row's content>": a write that changes nothing indexed writes nothing (search.py;
    # null: written before the digest existed)
    digest = models.CharField(max_length=40, null=True)

    class Meta:
        db_table = "core_search"
        default_permissions = ()
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")
