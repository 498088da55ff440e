# Placeholder in the chain of migrations written by hand for parallel work (verdict-helper fills it in or leaves it empty).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("proposals", "0008_duty_facts")]

    operations = []
