from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0013_handling_unit_order_aliases")]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
