# Placeholder in the kernel's migration chain; its operations are written with the change they belong to.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [('core', '0008_duty_fact'), ('proposals', '0007_search_to_core')]
    operations = []
