# The reply's document number (文号), printed on the reply letter (documents helper).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("proposals", "0009_evaluation_rehandling")]

    operations = [
        migrations.AddField(
            model_name="reply",
            name="document_number",
            field=models.CharField(blank=True, max_length=60, verbose_name="document number"),
        ),
    ]
