"""Sign-in hardening (issue #12): a committee may require a second factor of its staff and leaders, and failed
sign-ins are counted per address too (an index for that count)."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0009_search_index")]

    operations = [
        migrations.AddField(
            model_name="committee",
            name="require_second_factor",
            field=models.BooleanField(default=False, verbose_name="second factor required for staff and leaders"),
        ),
        migrations.AddIndex(
            model_name="loginfailure",
            index=models.Index(fields=["ip_address", "created_at"], name="loginfailure_address_time"),
        ),
    ]
