# The interface language a person chose, kept on the account (notifications and e-mails in the reader's language).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0011_delivery_reliability")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(blank=True, default="", max_length=8, verbose_name="language"),
        ),
    ]
