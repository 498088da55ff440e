# The deadlines of the proposals still running become core Deadline rows (xieshang.core.deadlines):
# for each open assignment of a live proposal its reply (and, while they run, its objection, first
# contact or co-unit views) deadline, party "assignment:<id>"; for each replied proposal with replies
# still to evaluate the proposer's evaluation deadline. Finished work gets no rows (nothing runs).
from django.db import migrations
from django.db.models import Exists, OuterRef

LIVE = ("assigned", "handling")
OPEN = ("assigned", "handling")
KINDS = ("proposal.objection", "proposal.first_contact", "proposal.co_views", "proposal.reply", "proposal.evaluation")
BATCH = 1000


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Deadline = apps.get_model("core", "Deadline")
    Assignment = apps.get_model("proposals", "Assignment")
    HandlingConsultation = apps.get_model("proposals", "HandlingConsultation")
    Proposal = apps.get_model("proposals", "Proposal")
    Reply = apps.get_model("proposals", "Reply")
    db = schema_editor.connection.alias
    ct, _created = ContentType.objects.using(db).get_or_create(app_label="proposals", model="proposal")
    rows = []

    def add(kind, due, original=None, **fields):
        original = original or due
        rows.append(Deadline(content_type_id=ct.pk, due_on=due, original_due_on=original,
                             kind=kind, state="open" if due == original else "extended", **fields))
        if len(rows) >= BATCH:
            Deadline.objects.using(db).bulk_create(rows, ignore_conflicts=True)
            rows.clear()

    consulted = HandlingConsultation.objects.using(db).filter(assignment=OuterRef("pk"))
    assignments = (
        Assignment.objects.using(db).filter(state__in=OPEN, proposal__state__in=LIVE)
        .annotate(consulted=Exists(consulted)).select_related("proposal").order_by("pk")
    )
    for a in assignments.iterator(chunk_size=BATCH):
        common = {"committee_id": a.proposal.committee_id, "object_id": a.proposal_id, "party": f"assignment:{a.pk}"}
        add("proposal.reply", a.due_date, a.original_due_date, **common)
        if a.state == "assigned" and a.acknowledged_at is None and a.objected_at is None:
            add("proposal.objection", a.objection_due, **common)
        if a.role != "co" and a.first_contact_due and not a.consulted:
            add("proposal.first_contact", a.first_contact_due, **common)
        if a.role == "co" and a.views_due:
            add("proposal.co_views", a.views_due, **common)
    unevaluated = Reply.objects.using(db).filter(proposal=OuterRef("pk"), round=OuterRef("round"), evaluation__isnull=True)
    replied = Proposal.objects.using(db).filter(state="replied", evaluation_due__isnull=False).filter(Exists(unevaluated))
    for p in replied.only("pk", "committee_id", "evaluation_due").order_by("pk").iterator(chunk_size=BATCH):
        add("proposal.evaluation", p.evaluation_due, committee_id=p.committee_id, object_id=p.pk, party="")
    if rows:
        Deadline.objects.using(db).bulk_create(rows, ignore_conflicts=True)


def backwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Deadline = apps.get_model("core", "Deadline")
    db = schema_editor.connection.alias
    ct = ContentType.objects.using(db).filter(app_label="proposals", model="proposal").first()
    if ct is not None:
        Deadline.objects.using(db).filter(content_type=ct, kind__in=KINDS).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0006_deadline"), ("proposals", "0005_search_digest")]
    operations = [migrations.RunPython(forwards, backwards)]
