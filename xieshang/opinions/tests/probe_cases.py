"""Opinion reports in the probe's access matrix (core/tests/test_probe_matrix.py; the world: core/tests/probe.py).

Objects: own_draft (the member's draft), forwarded (the member's report, forwarded in a bulletin), hidden_draft
(another member's draft). Handling-unit users have no business with reports.
"""

from xieshang.core.tests.probe import OFFICE, SIGNED_IN, Creator, Endpoint, Page

NOBODY = frozenset()
ME = frozenset({"member"})
READERS = OFFICE | {"leader"}  # the office and leaders read every report past the draft
NOT_UNIT = SIGNED_IN - {"unit"}

PAGES = [
    Page("opinions:mine"),
    Page("opinions:create"),
    Page("opinions:list", ok=READERS),
    Page("opinions:combine", ok=OFFICE, ok_status=302),  # GET without reports: back to the list
    Page("opinions:approvals", ok=READERS),
    Page("opinions:instructions", ok=READERS),
    Page("opinions:bulletins", ok=READERS),
    Page("opinions:bulletin_new", ok=OFFICE),
    Page("opinions:bulletin", obj="opinions.bulletin", ok=READERS),
    Page("opinions:bulletin_docx", obj="opinions.bulletin", ok=READERS),
    Page("opinions:adopted_xlsx", ok=READERS),
    Page("opinions:recipients", ok=OFFICE),
    Page("opinions:recipient", obj="opinions.recipient", ok=OFFICE),
    Page("opinions:commissions", ok=NOT_UNIT),
    Page("opinions:commission", obj="opinions.commission", ok=NOT_UNIT),
    Page("opinions:detail", obj="opinions.own_draft", ok=ME),
    Page("opinions:detail", obj="opinions.forwarded", ok=READERS | ME),
    Page("opinions:detail", obj="opinions.hidden_draft", ok=NOBODY),
    Page("opinions:edit", obj="opinions.own_draft", ok=ME),
    Page("opinions:edit", obj="opinions.forwarded", ok=READERS | ME, ok_status=302),
    Page("opinions:edit", obj="opinions.hidden_draft", ok=NOBODY),
    Page("opinions:desk", obj="opinions.forwarded", ok=OFFICE, ok_status=302),
    Page("opinions:desk", obj="opinions.own_draft", ok=NOBODY),
    Page("opinions:act", obj="opinions.own_draft", args=(("action", "submit"),), ok=ME, method="post"),
    Page("opinions:act", obj="opinions.hidden_draft", args=(("action", "submit"),), ok=NOBODY, method="post"),
    Page("opinions:attachment_add", obj="opinions.own_draft", ok=ME, method="post"),
    Page("opinions:attachment", obj="opinions.own_draft", args=(("attachment_id", "@opinions.attachment"),), ok=ME),
    Page("opinions:attachment", obj="opinions.hidden_draft", args=(("attachment_id", "@opinions.attachment"),),
         ok=NOBODY),
    Page("opinions:attachment_remove", obj="opinions.own_draft", args=(("attachment_id", "@opinions.attachment"),),
         ok=ME, method="post"),
]

API = [
    Endpoint("/api/v1/opinions"),
    Endpoint("/api/v1/opinions/recipients"),  # the bodies reports go to: not secret
    Endpoint("/api/v1/opinions/adopted.xlsx", ok=READERS),
    Endpoint("/api/v1/opinions/bulletins/{id}/document.docx", obj="opinions.bulletin", ok=READERS),
]
for path in ("/api/v1/opinions/{id}", "/api/v1/opinions/{id}/events"):
    API += [
        Endpoint(path, obj="opinions.own_draft", ok=ME),
        Endpoint(path, obj="opinions.forwarded", ok=READERS | ME),
        Endpoint(path, obj="opinions.hidden_draft", ok=NOBODY),
    ]


def _create_report(world, text):
    from xieshang.opinions import services

    return services.opinion_create(actor=world.users["member"], committee=world.committee, title=text[:100],
                                   situation=text[:500], analysis=text[:500], suggestion=text[:500])


def _report_pages(world, report):
    from django.urls import reverse

    return [("member", reverse("opinions:detail", args=[report.pk]), "html"),
            ("member", reverse("opinions:edit", args=[report.pk]), "html"),
            ("member", reverse("opinions:mine"), "html"),
            ("member", f"/api/v1/opinions/{report.pk}", "json")]


def _submitted_report(world, text):
    from xieshang.opinions import services

    report = _create_report(world, text)
    return services.opinion_act(actor=world.users["member"], report=report, action="submit")


def _office_report_pages(world, report):
    from django.urls import reverse

    return [("staff", reverse("opinions:detail", args=[report.pk]), "html"),
            ("staff", reverse("opinions:list"), "html"),
            ("staff", reverse("opinions:list") + "?format=xlsx", "xlsx")]


def _commission(world, text):
    import datetime

    from xieshang.opinions import services

    return services.commission_create(actor=world.users["staff"], committee=world.committee, topic=text[:100],
                                      due_on=datetime.date(2026, 12, 31), description=text)


def _commission_pages(world, row):
    from django.urls import reverse

    return [("staff", reverse("opinions:commission", args=[row.pk]), "html"),
            ("member", reverse("opinions:commissions"), "html")]


def _recipient(world, text):
    from xieshang.opinions import services

    return services.recipient_save(actor=world.users["staff"], committee=world.committee, name=text[:60],
                                   level="prefecture")


def _recipient_pages(world, row):
    from django.urls import reverse

    return [("staff", reverse("opinions:recipients"), "html"),
            ("staff", reverse("opinions:recipient", args=[row.pk]), "html")]


CREATORS = [
    Creator("opinions.create", _create_report, _report_pages),
    Creator("opinions.submit", _submitted_report, _office_report_pages),
    Creator("opinions.commission", _commission, _commission_pages),
    Creator("opinions.recipient", _recipient, _recipient_pages),
]
