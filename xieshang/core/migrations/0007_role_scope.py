# Roles bound to a scope: liaison stations and studios as organisation rows; a role names its handling unit,
# liaison station, studio or special committee by a real foreign key (no free-text station names).
#
# The free-text `station_name` of each station keeper becomes a LiaisonStation of that committee (one per
# distinct name; a keeper without a name gets the station "委员联络站") and the role points to it.
import django.db.models.deletion
from django.db import migrations, models

UNNAMED_STATION = "委员联络站"


def station_names_to_stations(apps, schema_editor):
    RoleAssignment = apps.get_model("core", "RoleAssignment")
    LiaisonStation = apps.get_model("core", "LiaisonStation")
    stations = {}
    for role in RoleAssignment.objects.filter(role="station").order_by("pk"):
        name = (role.station_name or "").strip()[:80] or UNNAMED_STATION
        key = (role.committee_id, name)
        if key not in stations:
            stations[key], _created = LiaisonStation.objects.get_or_create(committee_id=role.committee_id, name=name)
        role.liaison_station = stations[key]
        role.save(update_fields=["liaison_station"])


def stations_to_station_names(apps, schema_editor):
    RoleAssignment = apps.get_model("core", "RoleAssignment")
    for role in RoleAssignment.objects.filter(role="station").select_related("liaison_station", "studio"):
        place = role.liaison_station or role.studio
        role.station_name = place.name[:80] if place else ""
        role.save(update_fields=["station_name"])


class Migration(migrations.Migration):
    dependencies = [("core", "0006_deadline")]

    operations = [
        migrations.CreateModel(
            name="LiaisonStation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=80, verbose_name="name")),
                ("short_name", models.CharField(blank=True, max_length=40, verbose_name="short name")),
                ("address", models.CharField(blank=True, max_length=120, verbose_name="address")),
                ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("committee", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                                to="core.committee", verbose_name="committee")),
            ],
            options={
                "verbose_name": "liaison station",
                "verbose_name_plural": "liaison stations",
                "ordering": ["committee", "sort_order", "name"],
                "constraints": [
                    models.UniqueConstraint(fields=("committee", "name"), name="liaisonstation_unique_name"),
                ],
            },
        ),
        migrations.CreateModel(
            name="Studio",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=80, verbose_name="name")),
                ("short_name", models.CharField(blank=True, max_length=40, verbose_name="short name")),
                ("kind", models.CharField(choices=[("member", "member studio"), ("sector", "sector studio")],
                                          default="member", max_length=8, verbose_name="kind")),
                ("address", models.CharField(blank=True, max_length=120, verbose_name="address")),
                ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("committee", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                                to="core.committee", verbose_name="committee")),
            ],
            options={
                "verbose_name": "studio",
                "verbose_name_plural": "studios",
                "ordering": ["committee", "sort_order", "name"],
                "constraints": [
                    models.UniqueConstraint(fields=("committee", "name"), name="studio_unique_name"),
                    models.CheckConstraint(condition=models.Q(("kind__in", ["member", "sector"])),
                                           name="studio_kind_valid"),
                ],
            },
        ),
        migrations.AddField(
            model_name="roleassignment",
            name="liaison_station",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="roles", to="core.liaisonstation", verbose_name="liaison station"),
        ),
        migrations.AddField(
            model_name="roleassignment",
            name="studio",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="roles", to="core.studio", verbose_name="studio"),
        ),
        migrations.AddField(
            model_name="roleassignment",
            name="special_committee",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="roles", to="core.specialcommittee", verbose_name="special committee"),
        ),
        migrations.RunPython(station_names_to_stations, stations_to_station_names),
        migrations.RemoveConstraint(model_name="roleassignment", name="role_unique_nounit"),
        migrations.RemoveField(model_name="roleassignment", name="station_name"),
        migrations.AddConstraint(
            model_name="roleassignment",
            constraint=models.UniqueConstraint(condition=models.Q(("liaison_station__isnull", False)),
                                               fields=("user", "committee", "role", "liaison_station"),
                                               name="role_unique_station"),
        ),
        migrations.AddConstraint(
            model_name="roleassignment",
            constraint=models.UniqueConstraint(condition=models.Q(("studio__isnull", False)),
                                               fields=("user", "committee", "role", "studio"),
                                               name="role_unique_studio"),
        ),
        migrations.AddConstraint(
            model_name="roleassignment",
            constraint=models.UniqueConstraint(condition=models.Q(("special_committee__isnull", False)),
                                               fields=("user", "committee", "role", "special_committee"),
                                               name="role_unique_special_committee"),
        ),
        migrations.AddConstraint(
            model_name="roleassignment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("handling_unit__isnull", True), ("liaison_station__isnull", True),
                                   ("special_committee__isnull", True), ("studio__isnull", True)),
                fields=("user", "committee", "role"), name="role_unique_noscope",
            ),
        ),
        migrations.AddConstraint(
            model_name="roleassignment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("liaison_station__isnull", False), ("role", "station"), ("studio__isnull", True)),
                    models.Q(("liaison_station__isnull", True), ("role", "station"), ("studio__isnull", False)),
                    models.Q(models.Q(("role", "station"), _negated=True), ("liaison_station__isnull", True),
                             ("studio__isnull", True)),
                    _connector="OR",
                ),
                name="role_station_iff_one_place",
            ),
        ),
        migrations.AddConstraint(
            model_name="roleassignment",
            constraint=models.CheckConstraint(
                condition=models.Q(("special_committee__isnull", True), ("role__in", ["staff", "leader"]),
                                   _connector="OR"),
                name="role_special_committee_staff_or_leader",
            ),
        ),
    ]
