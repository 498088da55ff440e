# The proposals' part of the shared kernel:
# 1. reply letters become core attachments (purpose "reply_letter"); the files stay where they are, the
#    Attachment rows point at them; then the FileField Reply.letter goes (Reply.letter is now a property that
#    reads the attachment, xieshang/proposals/models.py);
# 2. the duty ledger gets the facts of every proposal registered so far (xieshang/proposals/duty.py says who
#    earns what; key and excellent facts are dated on the registration day: the day of the marking is not kept).
import os

from django.db import migrations
from django.utils import timezone

REPLY_LETTER = "reply_letter"
KINDS = ("proposal.lead", "proposal.cosigner", "proposal.key", "proposal.excellent")
BATCH = 2000


def _content_type(apps, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="proposals", model=model)[0]


def letters_to_attachments(apps, schema_editor):
    Reply = apps.get_model("proposals", "Reply")
    Attachment = apps.get_model("core", "Attachment")
    replies = Reply.objects.exclude(letter="").exclude(letter__isnull=True)
    if not replies.exists():
        return
    ct = _content_type(apps, "reply")
    for reply in replies.select_related("proposal").iterator(chunk_size=BATCH):
        name = reply.letter.name
        try:
            size = reply.letter.storage.size(name)
        except (OSError, NotImplementedError):
            size = 0  # the file is missing: the download answers 404, as it did before
        row = Attachment.objects.create(
            committee_id=reply.proposal.committee_id, content_type=ct, object_id=str(reply.pk), file=name,
            original_name=os.path.basename(name)[:200] or "letter", size=size, purpose=REPLY_LETTER,
            uploaded_by_id=reply.replied_by_id,
        )
        Attachment.objects.filter(pk=row.pk).update(uploaded_at=reply.replied_at)  # auto_now_add set "now"


def attachments_to_letters(apps, schema_editor):
    Reply = apps.get_model("proposals", "Reply")
    Attachment = apps.get_model("core", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct = ContentType.objects.filter(app_label="proposals", model="reply").first()
    if ct is None:
        return
    rows = Attachment.objects.filter(content_type=ct, purpose=REPLY_LETTER).order_by("id")
    for row in rows:
        Reply.objects.filter(pk=int(row.object_id)).update(letter=row.file.name)
    rows.delete()


def backfill_duty_facts(apps, schema_editor):
    Proposal = apps.get_model("proposals", "Proposal")
    CoSigner = apps.get_model("proposals", "CoSigner")
    DutyFact = apps.get_model("core", "DutyFact")
    registered = (
        Proposal.objects.filter(number__isnull=False, registered_at__isnull=False, proposer_kind="member",
                                lead_proposer__isnull=False)
        .exclude(state="converted").order_by("id")
        .values_list("id", "committee_id", "lead_proposer_id", "registered_at", "is_key", "is_excellent")
    )
    if not registered.exists():
        return
    ct = _content_type(apps, "proposal")
    last = 0
    while True:
        batch = list(registered.filter(id__gt=last)[:BATCH])
        if not batch:
            break
        last = batch[-1][0]
        signed: dict[int, list[int]] = {}
        for proposal_id, member_id in (
            CoSigner.objects.filter(proposal_id__in=[b[0] for b in batch], state="signed")
            .order_by("answered_at", "id").values_list("proposal_id", "member_id")
        ):
            signed.setdefault(proposal_id, []).append(member_id)
        facts = []
        for pid, committee_id, lead_id, registered_at, is_key, is_excellent in batch:
            members = [lead_id] + [m for m in signed.get(pid, []) if m != lead_id]
            day = timezone.localtime(registered_at).date()
            kinds = [lambda i: "proposal.lead" if i == 0 else "proposal.cosigner"]
            if is_key:
                kinds.append(lambda i: "proposal.key")
            if is_excellent:
                kinds.append(lambda i: "proposal.excellent")
            for kind_of in kinds:
                for index, member_id in enumerate(members):
                    facts.append(DutyFact(
                        committee_id=committee_id, member_id=member_id, kind=kind_of(index), content_type=ct,
                        object_id=pid, quantity=1, authors=len(members), lead=index == 0, occurred_on=day,
                    ))
        DutyFact.objects.bulk_create(facts, ignore_conflicts=True)


def remove_duty_facts(apps, schema_editor):
    DutyFact = apps.get_model("core", "DutyFact")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct = ContentType.objects.filter(app_label="proposals", model="proposal").first()
    if ct is not None:
        DutyFact.objects.filter(content_type=ct, kind__in=KINDS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0008_duty_fact"),
        ("proposals", "0007_search_to_core"),
    ]

    operations = [
        migrations.RunPython(letters_to_attachments, attachments_to_letters),
        migrations.RemoveField(model_name="reply", name="letter"),
        migrations.RunPython(backfill_duty_facts, remove_duty_facts),
    ]
