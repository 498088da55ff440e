from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0012_user_language")]

    operations = [
        migrations.AddField(
            model_name="handlingunit",
            name="aliases",
            field=models.CharField(blank=True, max_length=200, verbose_name="other names"),
        ),
        migrations.AddField(
            model_name="handlingunit",
            name="sort_order",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="order"),
        ),
    ]
