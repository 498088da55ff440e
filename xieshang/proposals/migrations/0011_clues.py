# Proposal clues (提案线索) and the calls for them (线索征集): front-door helper, issue #11 item 11.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0010_reply_document_number"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ClueCall',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=100, verbose_name='title')),
                ('text', models.TextField(blank=True, verbose_name='text')),
                ('opens_on', models.DateField(verbose_name='open from')),
                ('closes_on', models.DateField(verbose_name='open until')),
                ('state', models.CharField(choices=[('draft', 'not published'), ('open', 'open'), ('closed', 'closed')], default='draft', max_length=8, verbose_name='state')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published at')),
                ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed at')),
                ('version', models.PositiveIntegerField(default=1)),
                ('committee', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.committee', verbose_name='committee')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.session', verbose_name='session')),
            ],
            options={
                'verbose_name': 'call for proposal clues',
                'verbose_name_plural': 'calls for proposal clues',
                'ordering': ['-opens_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ProposalClue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(choices=[('member', 'member'), ('public', 'the public')], max_length=8, verbose_name='source')),
                ('name', models.CharField(blank=True, max_length=40, verbose_name='name')),
                ('contact', models.CharField(blank=True, max_length=60, verbose_name='contact')),
                ('title', models.CharField(max_length=100, verbose_name='subject')),
                ('text', models.TextField(verbose_name='text')),
                ('category', models.CharField(choices=[('economy', 'economic development'), ('politics', 'political and legal affairs'), ('culture', 'culture and education'), ('society', 'social affairs and livelihood'), ('ecology', 'ecology and environment'), ('agriculture', 'agriculture and rural areas'), ('other', 'other')], default='other', max_length=16, verbose_name='category')),
                ('state', models.CharField(choices=[('submitted', 'to review'), ('accepted', 'accepted as clue'), ('declined', 'declined'), ('duplicate', 'duplicate')], db_index=True, default='submitted', max_length=10, verbose_name='state')),
                ('review_note', models.TextField(blank=True, verbose_name='note')),
                ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='reviewed at')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='submitted at')),
                ('version', models.PositiveIntegerField(default=1)),
                ('call', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='clues', to='proposals.cluecall', verbose_name='call')),
                ('committee', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.committee', verbose_name='committee')),
                ('duplicate_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='proposals.proposalclue', verbose_name='duplicate of')),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='submitted by')),
            ],
            options={
                'verbose_name': 'proposal clue',
                'verbose_name_plural': 'proposal clues',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='proposal',
            name='clue',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='proposals', to='proposals.proposalclue', verbose_name='proposal clue'),
        ),
        migrations.AddIndex(
            model_name='cluecall',
            index=models.Index(fields=['committee', 'state', '-opens_on'], name='cluecall_committee_state'),
        ),
        migrations.AddConstraint(
            model_name='cluecall',
            constraint=models.CheckConstraint(condition=models.Q(('closes_on__gte', models.F('opens_on'))), name='cluecall_closes_after_opening'),
        ),
        migrations.AddConstraint(
            model_name='cluecall',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['draft', 'open', 'closed'])), name='cluecall_state_valid'),
        ),
        migrations.AddIndex(
            model_name='proposalclue',
            index=models.Index(fields=['committee', 'state', '-created_at'], name='clue_committee_state'),
        ),
        migrations.AddConstraint(
            model_name='proposalclue',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'duplicate'), _negated=True), ('duplicate_of__isnull', False), _connector='OR'), name='clue_duplicate_has_target'),
        ),
        migrations.AddConstraint(
            model_name='proposalclue',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('source', 'member'), _negated=True), ('submitted_by__isnull', False), _connector='OR'), name='clue_member_has_user'),
        ),
    ]
