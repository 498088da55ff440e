# Placeholder in the kernel's migration chain; its operations are written with the change they belong to.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('core', '0006_deadline'), ('proposals', '0005_search_digest')]
    operations = []
