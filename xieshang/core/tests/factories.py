"""factory-boy factories shared by every app's tests."""

import datetime

import factory
from factory.django import DjangoModelFactory

from xieshang.core import models


class CommitteeFactory(DjangoModelFactory):
    class Meta:
        model = models.Committee
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"c{n}")
    name = factory.Sequence(lambda n: f"测试州政协{n}")
    short_name = factory.LazyAttribute(lambda o: o.name)
    level = models.Committee.Level.PREFECTURE

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):  # the default list, as a new committee gets it
        if create:
            from xieshang.core.categories import seed

            seed(obj)


class TermFactory(DjangoModelFactory):
    class Meta:
        model = models.Term

    committee = factory.SubFactory(CommitteeFactory)
    number = 13
    start_year = 2023
    end_year = 2027
    is_current = True


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = models.Session

    term = factory.SubFactory(TermFactory)
    number = factory.Sequence(lambda n: n + 1)
    year = factory.LazyAttribute(lambda o: 2023 + o.number - 1)
    opens_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 1, 10))


class SectorFactory(DjangoModelFactory):
    class Meta:
        model = models.Sector

    committee = factory.SubFactory(CommitteeFactory)
    name = factory.Sequence(lambda n: f"界别{n}")


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = models.Organization

    committee = factory.SubFactory(CommitteeFactory)
    name = factory.Sequence(lambda n: f"党派{n}")
    kind = models.Organization.Kind.PARTY


class HandlingUnitFactory(DjangoModelFactory):
    class Meta:
        model = models.HandlingUnit

    committee = factory.SubFactory(CommitteeFactory)
    name = factory.Sequence(lambda n: f"州测试局{n}")


class LiaisonStationFactory(DjangoModelFactory):
    class Meta:
        model = models.LiaisonStation

    committee = factory.SubFactory(CommitteeFactory)
    name = factory.Sequence(lambda n: f"测试街道委员联络站{n}")


class StudioFactory(DjangoModelFactory):
    class Meta:
        model = models.Studio

    committee = factory.SubFactory(CommitteeFactory)
    name = factory.Sequence(lambda n: f"测试界委员工作室{n}")
    kind = models.Studio.Kind.SECTOR


class UserFactory(DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-42")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def grant(user, committee, role, unit=None, **extra):
    """Give a user a role in a committee (tests' shortcut for the administration screens). A station keeper
    without a station or studio in `extra` keeps the committee's first liaison station (made if there is none)."""
    if role == models.Role.STATION and not extra.get("liaison_station") and not extra.get("studio"):
        extra["liaison_station"] = (
            models.LiaisonStation.objects.filter(committee=committee).order_by("pk").first()
            or LiaisonStationFactory(committee=committee)
        )
    row, _ = models.RoleAssignment.objects.get_or_create(
        user=user, committee=committee, role=role, handling_unit=unit, defaults=extra
    )
    from xieshang.core.cache import forget

    forget(users=[user])
    return row


class MemberFactory(DjangoModelFactory):
    class Meta:
        model = models.Member

    committee = factory.SubFactory(CommitteeFactory)
    user = factory.SubFactory(UserFactory)
    name = factory.LazyAttribute(lambda o: o.user.full_name or o.user.username)
    term = factory.LazyAttribute(lambda o: models.Term.objects.filter(committee=o.committee).first() or TermFactory(committee=o.committee))
    sector = factory.LazyAttribute(lambda o: SectorFactory(committee=o.committee))
