"""The plan and topic screens. Thin: parse input with a form, call one service or selector, render.

Office and leaders: the plan board by month and form (/consultation/plan/?year=), the topic list (filters, sort,
pages, search, Excel) and the topic desk. Members: my topics (what became of each) and the submit form. The plan
as a Word file. Hidden → the 404 page; seen but not allowed → the 403 page; a refused form keeps what was typed.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieshang.core import audit, clock
from xieshang.core.errors import Forbidden, NotFound
from xieshang.core.screens import committee_or_404 as _committee
from xieshang.core.screens import form_call, list_page, require_roles, screen
from xieshang.core.selectors import member_of

from . import plan_selectors as psel
from . import plan_services
from .models import ConsultationPlan, ConsultationTopic
from .plan_forms import (
    ApprovalForm, ArrangeForm, DeclineForm, MergeForm, PlanForm, ScheduleForm, ShortlistForm, TopicFilterForm,
    TopicForm,
)
from .plan_lists import TOPICS, filter_topics
from .selectors import OFFICE_ROLES, READER_ROLES

TOPIC_FORMS = {"shortlist": "shortlist_form", "arrange": "arrange_form", "decline": "decline_form",
               "merge": "merge_form", "schedule": "schedule_form"}


# --- The plan board ---------------------------------------------------------------------------------------------


def _board(request, committee, year: int, status=200, **bound):
    plan = psel.plan_of_year(request.user, committee, year)
    office = psel.is_office(request.user, committee)
    actions = psel.plan_actions(request.user, plan) if plan else []
    years = sorted({*ConsultationPlan.objects.filter(committee=committee).values_list("year", flat=True), year},
                   reverse=True)
    context = {
        "plan": plan, "year": year, "years": years, "office": office,
        "board": psel.board(plan) if plan else None, "counts": psel.counts(plan) if plan else {},
        "actions": actions, "action_names": {t.action for t in actions},
        "plan_form": bound.get("plan_form") or PlanForm(initial={"year": year}),
        "approval_form": bound.get("approval_form") or ApprovalForm(initial={"date": clock.today()}),
        "events": audit.timeline(plan) if plan else [],
    }
    return render(request, "consultation/plan.html", context, status=status)


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or clock.today().year)
    except ValueError:
        year = clock.today().year
    return year if 2000 <= year <= 2200 else clock.today().year


@screen
def plan(request):
    committee = _committee(request)
    require_roles(request, READER_ROLES)
    return _board(request, committee, _year(request))


@screen
@require_POST
def plan_new(request):
    committee = _committee(request)
    require_roles(request, OFFICE_ROLES)
    form = PlanForm(request.POST)

    def call():
        plan_services.plan_create(actor=request.user, committee=committee, data=form.data_for_service())

    if form_call(request, form, call, _("The call for topics is issued.")):
        return redirect(f"{_plan_url()}?year={form.cleaned_data['year']}")
    return _board(request, committee, _year(request), status=422, plan_form=form)


@screen
@require_POST
def plan_act(request, pk, action):
    committee = _committee(request)
    plan = psel.plan_get(request.user, committee, pk)
    if action not in plan_services.PLAN_MACHINE:
        raise NotFound()
    if not plan_services.PLAN_MACHINE.transition(action).actors & psel.plan_relations(request.user, plan):
        raise Forbidden()
    form = ApprovalForm(request.POST) if action.startswith("approve_") else None

    def call():
        plan_services.plan_act(actor=request.user, plan=plan, action=action,
                               data=form.data_for_service() if form is not None else {},
                               expected_version=request.POST.get("expected_version"))

    label = plan_services.PLAN_MACHINE.transition(action).label
    if form_call(request, form, call, _("Done: %(action)s.") % {"action": label}):
        return redirect(f"{_plan_url()}?year={plan.year}")
    return _board(request, committee, plan.year, status=422 if form is not None else 409,
                  **({"approval_form": form} if form is not None else {}))


def _plan_url() -> str:
    from django.urls import reverse

    return reverse("consultation:plan")


@screen
def plan_docx(request, pk):
    from xieshang.core.screens import docx_response

    from . import plan_documents

    plan = psel.plan_get(request.user, _committee(request), pk)
    return docx_response(plan_documents.plan_docx(plan), plan_documents.plan_filename(plan))


# --- Topics -------------------------------------------------------------------------------------------------------


@screen
def topics(request):
    committee = _committee(request)
    require_roles(request, READER_ROLES)
    years = sorted(set(ConsultationTopic.objects.filter(committee=committee).values_list("year", flat=True)),
                   reverse=True)
    filters = TopicFilterForm(request.GET, listdef=TOPICS, years=years)
    params = filters.params()
    qs = psel.with_list_data(filter_topics(psel.topics_visible_to(request.user, committee), params))
    return list_page(request, TOPICS, qs, "consultation/topics.html", {}, filters=filters, params=params)


def _desk(request, topic, status=200, **bound):
    committee = topic.committee
    relations = psel.topic_relations(request.user, topic)
    actions = psel.topic_actions(request.user, topic)
    names = {t.action for t in actions}
    context = {
        "topic": topic, "reader": bool(relations & {"staff", "leader"}), "outcome": psel.outcome_of(topic),
        "actions": actions, "action_names": names,
        "merged": list(ConsultationTopic.objects.filter(merged_into=topic).order_by("id")),
        "shortlist_form": bound.get("shortlist_form") or ShortlistForm(initial={"month": topic.month}),
        "arrange_form": bound.get("arrange_form") or ArrangeForm(committee=committee, initial={
            "month": topic.month, "form": topic.form, "sponsor": topic.sponsor_id}),
        "decline_form": bound.get("decline_form") or DeclineForm(),
        "merge_form": bound.get("merge_form") or (MergeForm(targets=psel.merge_targets(topic)) if "merge" in names
                                                  else None),
        "schedule_form": bound.get("schedule_form") or (ScheduleForm(committee=committee) if "schedule" in names
                                                        else None),
        "events": audit.timeline(topic),
    }
    return render(request, "consultation/topic.html", context, status=status)


@screen
def topic(request, pk):
    return _desk(request, psel.topic_get(request.user, _committee(request), pk))


@screen
@require_POST
def topic_act(request, pk, action):
    committee = _committee(request)
    topic = psel.topic_get(request.user, committee, pk)
    machine = plan_services.TOPIC_MACHINE
    if action not in machine:
        raise NotFound()
    if not machine.transition(action).actors & psel.topic_relations(request.user, topic):
        raise Forbidden()
    form = {"shortlist": lambda: ShortlistForm(request.POST),
            "arrange": lambda: ArrangeForm(request.POST, committee=committee),
            "decline": lambda: DeclineForm(request.POST),
            "merge": lambda: MergeForm(request.POST, targets=psel.merge_targets(topic)),
            "schedule": lambda: ScheduleForm(request.POST, committee=committee)}.get(action, lambda: None)()

    def call():
        data = {}
        if form is not None:
            data = form.data_for_service() if hasattr(form, "data_for_service") else dict(form.cleaned_data)
        plan_services.topic_act(actor=request.user, topic=topic, action=action, data=data,
                                expected_version=request.POST.get("expected_version"))

    if form_call(request, form, call, _("Done: %(action)s.") % {"action": machine.transition(action).label}):
        if action == "withdraw" and not psel.topic_relations(request.user, topic) & {"staff", "leader"}:
            return redirect("consultation:my_topics")
        return redirect("consultation:topic", topic.pk)
    topic.refresh_from_db()
    return _desk(request, topic, status=422 if form is not None else 409,
                 **({TOPIC_FORMS[action]: form} if action in TOPIC_FORMS else {}))


@screen
def my_topics(request):
    committee = _committee(request)
    may_submit = member_of(request.user, committee) is not None or psel.is_office(request.user, committee)
    if not may_submit:  # members (and the office, for the topics it entered); anyone else: 404
        require_roles(request, {"member"})
    return render(request, "consultation/my_topics.html", {"rows": psel.my_topics(request.user, committee),
                                                           "may_submit": may_submit})


@screen
def topic_new(request):
    committee = _committee(request)
    if member_of(request.user, committee) is None:
        require_roles(request, OFFICE_ROLES)
    form = TopicForm(request.POST or None, committee=committee)
    if request.method == "POST":
        def call():
            plan_services.topic_submit(actor=request.user, committee=committee, data=dict(form.cleaned_data))

        if form_call(request, form, call, _("Your topic is sent to the office.")):
            return redirect("consultation:my_topics")
    open_call = (ConsultationPlan.objects.filter(committee=committee, state="draft", call__deadline__gte=clock.today())
                 .select_related("call").order_by("-year").first())
    return render(request, "consultation/topic_form.html", {"form": form, "open_plan": open_call},
                  status=422 if request.method == "POST" else 200)
