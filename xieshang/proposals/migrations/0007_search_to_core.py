# Placeholder in the kernel's migration chain; its operations are written with the change they belong to.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('core', '0009_search_index'), ('proposals', '0006_deadlines')]
    operations = []
