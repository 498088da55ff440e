# A station keeper's report names the keeper's liaison station (core.LiaisonStation, core 0007).
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_role_scope"),
        ("opinions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="opinionreport",
            name="liaison_station",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="core.liaisonstation", verbose_name="liaison station",
            ),
        ),
    ]
