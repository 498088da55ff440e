# The duty ledger (xieshang.core.duty): one DutyFact row per (member, kind, object).
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0007_role_scope"),
    ]

    operations = [
        migrations.CreateModel(
            name="DutyFact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=64, verbose_name="kind")),
                ("object_id", models.PositiveBigIntegerField()),
                ("quantity", models.DecimalField(decimal_places=2, default=1, max_digits=8, verbose_name="quantity")),
                ("authors", models.PositiveSmallIntegerField(default=1, verbose_name="authors")),
                ("lead", models.BooleanField(default=True, verbose_name="first author")),
                ("occurred_on", models.DateField(verbose_name="date")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded at")),
                ("note", models.TextField(blank=True, verbose_name="note")),
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
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="duty_facts", to="core.member",
                        verbose_name="member",
                    ),
                ),
            ],
            options={
                "verbose_name": "duty fact",
                "verbose_name_plural": "duty facts",
                "ordering": ["-occurred_on", "-id"],
                "indexes": [
                    models.Index(fields=["member", "occurred_on"], name="dutyfact_member_day"),
                    models.Index(fields=["content_type", "object_id"], name="dutyfact_object"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("member", "kind", "content_type", "object_id"), name="dutyfact_unique"
                    ),
                    models.CheckConstraint(condition=models.Q(("authors__gte", 1)), name="dutyfact_authors_positive"),
                ],
            },
        ),
    ]
