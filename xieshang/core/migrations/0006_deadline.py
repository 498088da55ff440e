# Deadlines in core (xieshang.core.deadlines): one Deadline row per (object, kind, party).
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0005_export"),
    ]

    operations = [
        migrations.CreateModel(
            name="Deadline",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("object_id", models.PositiveBigIntegerField()),
                ("kind", models.CharField(max_length=64, verbose_name="kind")),
                ("party", models.CharField(blank=True, default="", max_length=64, verbose_name="party")),
                ("due_on", models.DateField(verbose_name="due on")),
                ("original_due_on", models.DateField(verbose_name="originally due on")),
                (
                    "state",
                    models.CharField(
                        choices=[("open", "open"), ("extended", "extended"), ("met", "met"), ("waived", "waived")],
                        default="open", max_length=8, verbose_name="state",
                    ),
                ),
                ("last_reminded_on", models.DateField(blank=True, null=True, verbose_name="last reminded on")),
                ("overdue_notified_on", models.DateField(blank=True, null=True, verbose_name="overdue notice sent on")),
                ("met_on", models.DateField(blank=True, null=True, verbose_name="met on")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "committee",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.committee",
                        verbose_name="committee",
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contenttypes.contenttype"
                    ),
                ),
            ],
            options={
                "verbose_name": "deadline",
                "verbose_name_plural": "deadlines",
                "ordering": ["due_on", "id"],
                "indexes": [models.Index(fields=["state", "due_on"], name="deadline_state_due")],
                "constraints": [
                    models.UniqueConstraint(fields=("content_type", "object_id", "kind", "party"), name="deadline_unique"),
                    models.CheckConstraint(
                        condition=models.Q(("state__in", ["open", "extended", "met", "waived"])),
                        name="deadline_state_valid",
                    ),
                ],
            },
        ),
    ]
