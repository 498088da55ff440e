# Written by hand (the reliability part of issue #12): a delivery is committed as "sending" with its
# idempotency key before the message leaves (core/tasks.py).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0010_sign_in_hardening")]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="idempotency_key",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="status",
            field=models.CharField(
                choices=[("pending", "pending"), ("sending", "sending"), ("sent", "sent"), ("failed", "failed")],
                default="pending",
                max_length=8,
            ),
        ),
    ]
