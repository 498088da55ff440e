# Placeholder in the chain of migrations written by hand for parallel work (auth-helper fills it in or leaves it empty).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0009_search_index")]

    operations = []
