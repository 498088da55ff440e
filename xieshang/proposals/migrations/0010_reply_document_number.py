# Placeholder in the chain of migrations written by hand for parallel work (documents-helper fills it in or leaves it empty).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("proposals", "0009_evaluation_rehandling")]

    operations = []
