# Evaluation sub-verdicts and correction, the committee's evaluation questions, re-handling instructions.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0008_duty_facts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="evaluation",
            name="answers",
            field=models.JSONField(blank=True, default=list, verbose_name="sub-verdicts"),
        ),
        migrations.AddField(
            model_name="evaluation",
            name="corrected_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="corrected at"),
        ),
        migrations.CreateModel(
            name="EvaluationQuestion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField(verbose_name="position")),
                ("label", models.CharField(max_length=100, verbose_name="question")),
                ("options", models.JSONField(default=list, verbose_name="answers offered")),
                ("committee", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                related_name="evaluation_questions", to="core.committee")),
            ],
            options={
                "verbose_name": "evaluation question",
                "verbose_name_plural": "evaluation questions",
                "ordering": ["committee", "position"],
                "constraints": [models.UniqueConstraint(fields=("committee", "position"),
                                                        name="evaluation_question_unique_position")],
            },
        ),
        migrations.CreateModel(
            name="Rehandling",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("round", models.PositiveSmallIntegerField(verbose_name="round")),
                ("instructions", models.TextField(verbose_name="instructions")),
                ("due_date", models.DateField(verbose_name="reply due")),
                ("created_at", models.DateTimeField(verbose_name="decided at")),
                ("created_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                 to=settings.AUTH_USER_MODEL)),
                ("proposal", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="rehandlings",
                                               to="proposals.proposal")),
            ],
            options={
                "verbose_name": "re-handling",
                "verbose_name_plural": "re-handlings",
                "ordering": ["proposal", "round"],
                "constraints": [models.UniqueConstraint(fields=("proposal", "round"), name="rehandling_one_per_round")],
            },
        ),
    ]
