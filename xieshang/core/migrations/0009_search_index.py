# Placeholder in the kernel's migration chain; its operations are written with the models they add.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0008_duty_fact")]
    operations = []
