# Placeholder in the chain of migrations written by hand for parallel work (frontdoor-helper fills it in or leaves it empty).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("proposals", "0010_reply_document_number")]

    operations = []
