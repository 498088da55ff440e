"""Categories as data (issue #16): the table, and every existing committee's list — the categories the
apps offered until now, with the names the Chinese interface showed, so that every record keeps its label."""

import django.db.models.deletion
from django.db import migrations, models


# The default list as it was on this day (core.categories.DEFAULT_NAMES, written out: a migration must not change
# when the code does).
DEFAULTS = [
    ("economy", "经济建设", "economic development"),
    ("politics", "政治建设", "political and legal affairs"),
    ("culture", "文化建设", "culture and education"),
    ("society", "社会建设", "social affairs and livelihood"),
    ("ecology", "生态文明建设", "ecology and environment"),
    ("agriculture", "农业农村", "agriculture and rural areas"),
    ("other", "其他", "other"),
]


def seed(apps, schema_editor):
    Committee = apps.get_model("core", "Committee")
    Category = apps.get_model("core", "Category")
    rows = [
        Category(committee_id=cid, code=code, name=name, name_en=name_en, position=position)
        for cid in Committee.objects.values_list("pk", flat=True)
        for position, (code, name, name_en) in enumerate(DEFAULTS, start=1)
    ]
    Category.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0014_delivery_claimed_at'),
    ]

    operations = [
        migrations.CreateModel(
            name='Category',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=16, verbose_name='code')),
                ('name', models.CharField(max_length=40, verbose_name='name')),
                ('name_en', models.CharField(blank=True, max_length=80, verbose_name='English name')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('changed_at', models.DateTimeField(auto_now=True, verbose_name='changed at')),
                ('committee', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.committee', verbose_name='committee')),
            ],
            options={
                'verbose_name': 'category',
                'verbose_name_plural': 'categories',
                'ordering': ['committee', 'position', 'id'],
                'constraints': [models.UniqueConstraint(fields=('committee', 'code'), name='category_unique_code'), models.UniqueConstraint(fields=('committee', 'name'), name='category_unique_name')],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
