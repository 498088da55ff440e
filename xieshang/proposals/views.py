"""The proposal screens. Thin: parse input with a form, call one service or selector, render.

Errors of the services (xieshang.core.errors) come back as messages next to the fields or at the top,
with the input kept; a proposal the user may not see is a 404, the same as a missing one.
"""

from __future__ import annotations

import functools
import tempfile
import uuid

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xieshang.core import calendar, pickers, timers
from xieshang.core.categories import label as category_label
from xieshang.core.attachments import attachment_response
from xieshang.core.errors import Forbidden, Invalid, NotFound, ServiceError
from xieshang.core.formats import cn_date
from xieshang.core.screens import committee_or_404 as _committee
from xieshang.core.screens import require_roles as _require_roles
from xieshang.core.screens import form_error, screen
from xieshang.core.models import Member, Role
from xieshang.core.selectors import member_of, roles_of, unit_ids_of

from . import deadlines, selectors, services
from .forms import (
    ACTION_FORMS,
    DEFAULT_PAGE_SIZE,
    PAGE_SIZES,
    PAGE_ACTIONS,
    VERSIONED_ACTIONS,
    AssignForm,
    BatchAssignForm,
    EvaluationQuestionsForm,
    InviteCosignersForm,
    MemberSearchForm,
    ProposalFilterForm,
    ProposalForm,
    action_form,
)
from .lists import PROPOSALS
from .models import (
    AssignmentRole,
    AssignmentState,
    CoSigner,
    EvaluationVerdict,
    ExtensionRequest,
    Proposal,
    ProposalState,
    ProposerKind,
)
from .workflow import ASSIGNMENT_SOURCES, CONFIRMED, TRANSITIONS

STAFF_ROLES = {Role.STAFF, Role.ADMIN}
# Long texts no list shows: the lists do not read them.
LIST_DEFERRED = ("body", "state_note")
BOARD_ROLES = {Role.STAFF, Role.ADMIN, Role.LEADER}
INBOX_TABS = ("to_acknowledge", "handling", "due_soon", "replied")


# --- Helpers ------------------------------------------------------------------------------------


def _get(request, pk) -> Proposal:
    return selectors.proposal_get(request.user, pk, committee=_committee(request))


def _page(request, queryset, per_page=DEFAULT_PAGE_SIZE):
    """One page of a list; `?page_size=` (10, 20, 50 or 100) overrides the default, anything else is ignored."""
    size = _int_or_none(request.GET.get("page_size"))
    if size in PAGE_SIZES:
        per_page = size
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _int_or_none(value):
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


_apply_error = form_error  # a service error on the page's form (core.screens)


# --- Member: my proposals, drafting, co-signing ------------------------------------------------


@screen
def mine(request):
    committee = _committee(request)
    user = request.user
    # Own proposals: those the user leads or drafted (the co-signed ones are on the invitations page).
    qs = selectors.proposals_of(user, committee).defer(*LIST_DEFERRED)
    page = _page(request, qs)
    return render(request, "proposals/mine.html", {
        "page_obj": page,
        "to_evaluate": list(selectors.to_evaluate(user, committee)[:50]),
        "invitations": selectors.cosign_invitations(user, committee).filter(state=CoSigner.State.INVITED).count(),
    })


def _draft_initial(request, committee):
    member = member_of(request.user, committee)
    return {
        "client_key": uuid.uuid4().hex,
        "contact_phone": getattr(member, "phone", "") or request.user.phone,
        "contact_address": getattr(member, "address", ""),
    }


def _content_differs(proposal, fields: dict) -> bool:
    return any((getattr(proposal, name) or "") != (value or "") for name, value in fields.items())


def _save_draft(request, committee, form):
    """Create (idempotent by client_key) or update the draft the form shows. Returns the proposal.

    A draft that an earlier autosave created is updated with what the form holds now.
    """
    user = request.user
    fields = form.fields_for_update()
    pk = form.cleaned_data.get("proposal")
    version = form.cleaned_data.get("version")
    if pk:
        proposal = selectors.proposal_get(user, pk, committee=committee)
        if not _content_differs(proposal, fields):
            return proposal
        try:
            return services.proposal_update(actor=user, proposal=proposal, expected_version=version, **fields)
        except ServiceError as exc:
            # Our own autosave may have saved this very text a moment before: then nothing conflicts.
            fresh = selectors.proposal_get(user, pk, committee=committee)
            if not _content_differs(fresh, fields):
                return fresh
            raise exc from None
    proposal = services.proposal_create(
        actor=user, committee=committee, client_key=form.cleaned_data.get("client_key") or None,
        **form.fields_for_create(),
    )
    if _content_differs(proposal, fields):  # the same key sent twice: the first request made the draft
        proposal = services.proposal_update(actor=user, proposal=proposal, **fields)
    return proposal


@screen
def create(request):
    committee = _committee(request)
    if request.method == "POST":
        form = ProposalForm(request.POST, committee=committee, creating=not request.POST.get("proposal"))
        if form.is_valid():
            try:
                proposal = _save_draft(request, committee, form)
            except NotFound:
                raise
            except ServiceError as exc:
                _apply_error(request, form, exc)
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("proposals:detail", pk=proposal.pk)
    else:
        form = ProposalForm(committee=committee, creating=True, initial=_draft_initial(request, committee))
    return render(request, "proposals/form.html", {"form": form, "proposal": None})


@screen
def edit(request, pk):
    committee = _committee(request)
    proposal = _get(request, pk)
    if "update" not in {t.action for t in selectors.available_actions(request.user, proposal)}:
        messages.warning(request, _("This proposal can no longer be edited."))
        return redirect("proposals:detail", pk=proposal.pk)
    if request.method == "POST":
        form = ProposalForm(request.POST, committee=committee, creating=False)
        if form.is_valid():
            form.cleaned_data["proposal"] = proposal.pk
            try:
                proposal = _save_draft(request, committee, form)
            except NotFound:
                raise
            except ServiceError as exc:
                _apply_error(request, form, exc)
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("proposals:detail", pk=proposal.pk)
    else:
        initial = {name: getattr(proposal, name) for name in ProposalForm.UPDATE_FIELDS}
        initial.update(proposal=proposal.pk, version=proposal.version, client_key=proposal.client_key or "")
        form = ProposalForm(committee=committee, creating=False, initial=initial)
    return render(request, "proposals/form.html", {"form": form, "proposal": proposal})


@screen
@require_POST
def autosave(request):
    """htmx: save the draft as the member types (create on the first save). Answers a status line."""
    committee = _committee(request)
    has_pk = bool(_int_or_none(request.POST.get("proposal")))
    form = ProposalForm(request.POST, committee=committee, creating=not has_pk, require_title=False)
    context = {"ok": False, "proposal": None}
    response_headers = {}
    if not form.is_valid():
        errors = [f"{form.fields[f].label}: {e}" if f in form.fields else str(e) for f, es in form.errors.items() for e in es]
        context["message"] = _("Not saved: %(errors)s") % {"errors": " ".join(errors)}
    elif not form.cleaned_data.get("title"):
        context["message"] = _("Type a subject to save the draft.")
    else:
        try:
            proposal = _save_draft(request, committee, form)
        except NotFound:
            context["message"] = _("Not saved: this draft is no longer available.")
        except ServiceError as exc:
            context["message"] = _("Not saved: %(error)s Your text is still here.") % {"error": exc.message}
        else:
            context.update(ok=True, proposal=proposal, saved_at=timezone.localtime(proposal.updated_at))
            if not has_pk:
                response_headers["HX-Replace-Url"] = reverse("proposals:edit", args=[proposal.pk])
    response = render(request, "proposals/_autosave_status.html", context)
    for key, value in response_headers.items():
        response[key] = value
    return response


@screen
def invite(request, pk):
    """Invite co-signers: search members by name, tick, invite."""
    committee = _committee(request)
    proposal = _get(request, pk)
    if "invite_cosigners" not in {t.action for t in selectors.available_actions(request.user, proposal)}:
        messages.warning(request, _("Co-signers cannot be invited to this proposal now."))
        return redirect("proposals:detail", pk=proposal.pk)
    search = MemberSearchForm(request.GET or None)
    search.fields["q"].widget.attrs.update({
        "hx-get": reverse("proposals:invite", args=[proposal.pk]), "hx-trigger": "input changed delay:400ms, search",
        "hx-target": "#member-results", "hx-swap": "outerHTML", "type": "search", "autocomplete": "off",
        "data-testid": "member-search",
    })
    q = search.cleaned_data.get("q", "") if search.is_valid() else ""
    found = []
    if q:
        found = list(
            Member.objects.filter(committee=committee, is_active=True, name__icontains=q)
            .exclude(user=request.user).select_related("sector").order_by("name")[:30]
        )
    form = None
    if request.method == "POST":
        posted = [v for v in request.POST.getlist("members") if _int_or_none(v)]
        valid = Member.objects.filter(committee=committee, is_active=True, pk__in=[int(v) for v in posted])
        form = InviteCosignersForm(request.POST, member_choices=[(m.pk, m.name) for m in valid])
        if form.is_valid():
            try:
                services.proposal_act(actor=request.user, proposal=proposal, action="invite_cosigners", data=form.to_data())
            except NotFound:
                raise
            except ServiceError as exc:
                _apply_error(request, form, exc)
            else:
                messages.success(request, _("The invitations are sent."))
                return redirect("proposals:invite", pk=proposal.pk)
    context = {
        "proposal": proposal, "search": search, "q": q, "found": found, "form": form,
        "cosigners": list(proposal.cosigners.select_related("member").order_by("invited_at", "id")),
    }
    if getattr(request, "htmx", False) and request.method == "GET":
        return render(request, "proposals/_member_results.html", context)
    return render(request, "proposals/invite.html", context)


@screen
def cosign_invitations(request):
    committee = _committee(request)
    qs = selectors.cosign_invitations(request.user, committee)
    return render(request, "proposals/cosign_invitations.html", {"page_obj": _page(request, qs)})


# --- The detail page and its actions -----------------------------------------------------------


def _leaders(committee):
    User = get_user_model()
    return User.objects.filter(role_assignments__committee=committee, role_assignments__role=Role.LEADER).distinct()


def _action_context(request, proposal, actions, assignments, replies) -> dict:
    """The choices the action forms need, computed once for the page."""
    committee = _committee(request)
    user = request.user
    names = {t.action for t in actions}
    my_units = unit_ids_of(user, committee)
    ctx = {
        "proposal": proposal,
        # .all().exists(): no query when the detail loaded the co-signers
        "has_cosigners": proposal.cosigners.all().exists() if "submit" in names else False,
        "my_assignments_all": [a for a in assignments if a.unit_id in my_units and a.state != AssignmentState.CANCELLED],
        "objected_assignments": [(a.pk, a.unit.name) for a in assignments if a.state == AssignmentState.OBJECTED],
        "live_assignments": [
            (a.pk, a.unit.name) for a in assignments if a.state in (AssignmentState.ASSIGNED, AssignmentState.HANDLING)
        ],
        "pending_extensions": [
            (r.pk, f"{a.unit.name}: {r.requested_until.isoformat()}")
            for a in assignments for r in a.extension_requests.all() if r.state == ExtensionRequest.State.PENDING
        ],
        "replies_to_evaluate": [
            (r.pk, r.assignment.unit.name) for r in replies
            if r.round == proposal.round and not hasattr_evaluation(r)
        ],
    }
    if names & {"evaluate", "correct_evaluation"}:
        ctx["evaluation_questions"] = selectors.evaluation_questions(committee)
        ctx["replies_evaluated"] = [
            (r.pk, r.assignment.unit.name) for r in replies if r.round == proposal.round and hasattr_evaluation(r)
        ]
    if names & {"reassign"}:
        ctx["units"] = pickers.units_to_assign(committee)
    if "merge" in names:
        ctx["resolve_merge_target"] = functools.partial(_merge_target, user, committee)
        ctx["merge_targets"] = [
            (p.pk, f"{p.number or '—'} {p.title}")
            for p in selectors.proposals_visible_to(user, committee)
            .filter(session_id=proposal.session_id, state__in=[ProposalState.SUBMITTED, ProposalState.REGISTERED])
            .exclude(pk=proposal.pk).order_by("number", "id")[:500]
        ]
    if "mark_key" in names:
        ctx["leaders"] = [(u.pk, u.display_name) for u in _leaders(committee)]
    return ctx


def _merge_target(user, committee, text: str):
    """The id of the proposal the user sees in `committee` whose number is `text` (e.g. "13-3-0042"),
    or whose id it is; None when there is none. The merge service checks the rest (state, session)."""
    from django.db.models import Q

    text = (text or "").strip()
    if not text:
        return None
    q = Q(number=text)
    if text.isascii() and text.isdigit() and len(text) < 12:
        q |= Q(pk=int(text))
    found = list(selectors.proposals_visible_to(user, committee).filter(q).values_list("pk", "number")[:2])
    # a number wins over an id that happens to be written the same
    for pk, number in found:
        if number == text:
            return pk
    return found[0][0] if found else None


def hasattr_evaluation(reply) -> bool:
    try:
        return reply.evaluation is not None
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist
        return False


def _ctx_for(action, ctx):
    """The per-action view of the context: a unit action offers only the assignments it can start from."""
    sources = ASSIGNMENT_SOURCES.get(action)
    mine = ctx["my_assignments_all"]
    if sources:
        mine = [a for a in mine if a.state in sources]
    if action == "reply":
        mine = [a for a in mine if a.role != AssignmentRole.CO]
    elif action == "send_views":
        mine = [a for a in mine if a.role == AssignmentRole.CO]
    return {**ctx, "my_assignments": [(a.pk, a.unit.name) for a in mine]}


def _offered(action, ctx) -> bool:
    """Hide a unit action that none of the user's assignments can take (the service would refuse it)."""
    t = TRANSITIONS.get(action)
    if t is None or t.actors != frozenset({"unit"}):
        return True
    return bool(_ctx_for(action, ctx)["my_assignments"])


def _action_entries(request, proposal, actions, ctx, bound=None):
    """One entry per action the user may take now: a link, a button, or a small form."""
    entries = []
    seen = set()
    bound_action, bound_form = bound or (None, None)
    for t in actions:
        if t.action in seen:
            continue
        seen.add(t.action)
        if t.action in PAGE_ACTIONS:
            entries.append({"action": t.action, "label": t.label, "kind": "link",
                            "url": reverse(PAGE_ACTIONS[t.action], args=[proposal.pk])})
            continue
        if t.action not in ACTION_FORMS or not _offered(t.action, ctx):
            continue
        if t.action == bound_action:
            form = bound_form
        else:
            form = action_form(t.action, ctx=_ctx_for(t.action, ctx))
            if t.action in ("mark_excellent", "set_public"):
                current = proposal.is_excellent if t.action == "mark_excellent" else proposal.is_public
                form.initial["value"] = not current
        entries.append(_entry(t, form, proposal))
    if bound_action and bound_action not in seen:
        # Not possible any more (the state changed): still show what was typed, with the error.
        t = TRANSITIONS.get(bound_action)
        entries.insert(0, _entry(t, bound_form, proposal))
    return entries


def _entry(t, form, proposal):
    label = t.label if t is not None else ""
    if t is not None and t.action == "mark_excellent":
        label = _("Unmark excellent") if proposal.is_excellent else _("Mark as excellent")
    elif t is not None and t.action == "set_public":
        label = _("Unpublish") if proposal.is_public else _("Publish")
    elif t is not None and t.action == "withdraw" and proposal.state == ProposalState.DRAFT:
        label = _("delete the draft")  # 删除: withdrawing (撤案) is for a proposal that was submitted
    has_fields = bool(form.visible_fields())
    confirm = form.summary() if getattr(form, "needs_confirmation", False) else None
    return {
        "confirm": confirm,
        "action": t.action if t else "",
        "label": label,
        "kind": "form" if has_fields else "button",
        "form": form,
        "open": form.is_bound,
        "multipart": "letter" in form.fields,
        "versioned": t is not None and t.action in VERSIONED_ACTIONS,
        "danger": t is not None and t.action in ("withdraw", "reject", "decline_cosign", "object", "refuse_extension"),
        # asks before sending (workflow.CONFIRMED), unless the form has its own confirmation step
        "ask": t is not None and t.action in CONFIRMED and not hasattr(form, "needs_confirmation"),
    }


def _detail_context(request, proposal, bound=None) -> dict:
    """Everything the detail page shows, in a fixed number of queries whatever the number of units, replies,
    co-signers and events: what belongs to the proposal read once (selectors.load_detail), the relations
    computed once from those rows and handed to the actions, the timeline in one query."""
    user = request.user
    selectors.load_detail(proposal)
    relations = selectors.relations_of(user, proposal)
    actions = selectors.available_actions(user, proposal, relations=relations)
    assignments = list(proposal.assignments.all())  # by round, then id
    deadlines.due_infos([a for a in assignments if a.state != AssignmentState.CANCELLED])
    replies = list(proposal.replies.all())  # with their units, evaluations and letters
    ctx = _action_context(request, proposal, actions, assignments, replies)
    live = [a for a in assignments if a.state != AssignmentState.CANCELLED]
    return {
        "proposal": proposal,
        "cosigners": list(proposal.cosigners.all()),
        "cosigners_waiting": [c for c in proposal.cosigners.all() if c.state == CoSigner.State.INVITED]
        if proposal.state == ProposalState.COSIGNING else [],
        "rehandlings": selectors.rehandlings_of(proposal),
        "assignments": live,
        "cancelled_assignments": [a for a in assignments if a.state == AssignmentState.CANCELLED],
        "consultations": [c for a in assignments for c in a.consultations.all()],
        "co_views": [v for a in assignments for v in a.co_views.all()],
        "extension_requests": [r for a in assignments for r in a.extension_requests.all()],
        "replies": replies,
        "supervisions": list(proposal.supervisions.all()),
        "events": selectors.timeline_of(user, proposal),
        "actions": _action_entries(request, proposal, actions, ctx, bound),
        "merged_from": list(proposal.merged_proposals.all()[:50]),
        "may_download": selectors.may_download_documents(user, proposal),  # the form, phone and address
        "may_download_letters": selectors.may_download_reply_letters(user, proposal),
        **_attachments_context(user, proposal),
    }


def _as_published(request, proposal, *, printing: bool):
    """The page of a public-only reader (selectors.reads_only_as_public): what the public portal shows."""
    return render(request, "proposals/published.html", {
        "p": selectors.public_view(proposal), "proposal": proposal, "printing": printing,
    })


@screen
def detail(request, pk):
    proposal = _get(request, pk)
    if selectors.reads_only_as_public(request.user, proposal):
        return _as_published(request, proposal, printing=False)
    return render(request, "proposals/detail.html", _detail_context(request, proposal))


@screen
def print_view(request, pk):
    proposal = _get(request, pk)
    if selectors.reads_only_as_public(request.user, proposal):
        return _as_published(request, proposal, printing=True)
    context = _detail_context(request, proposal)
    return render(request, "proposals/print.html", context)


def _attachments_context(user, proposal) -> dict:
    """The proposal's files (proposals.attachments), the form to attach one when the user may."""
    from . import attachments
    from .forms import AttachmentForm

    if not attachments.may_see_attachments(user, proposal):
        return {"may_see_attachments": False}
    rows = attachments.attachments_of(proposal)
    for row in rows:
        row.removable = attachments.may_remove(user, proposal, row)
    may_attach = attachments.may_attach(user, proposal)
    return {"may_see_attachments": True, "attachments": rows,
            "attachment_form": AttachmentForm(auto_id="id_attachment_%s") if may_attach else None}


@screen
@require_POST
def act(request, pk, action):
    """Carry out one workflow action from a form on the detail page (or a list page, with `next`)."""
    if action not in ACTION_FORMS:
        raise Http404
    proposal = _get(request, pk)
    actions = selectors.available_actions(request.user, proposal)
    assignments = list(proposal.assignments.select_related("unit").prefetch_related("extension_requests"))
    replies = list(proposal.replies.select_related("assignment__unit", "evaluation"))
    ctx = _action_context(request, proposal, actions, assignments, replies)
    form = action_form(action, request.POST, request.FILES, ctx=_ctx_for(action, ctx))
    status = 200
    # A form that asks for confirmation first (the evaluation) is shown back with its summary: nothing is sent.
    confirming = getattr(form, "needs_confirmation", False)
    if not confirming and form.is_valid():
        version = _int_or_none(request.POST.get("version")) if action in VERSIONED_ACTIONS else None
        try:
            services.proposal_act(
                actor=request.user, proposal=proposal, action=action, data=form.to_data(), expected_version=version
            )
        except NotFound:
            raise
        except ServiceError as exc:
            _apply_error(request, form, exc)
            if isinstance(exc, Forbidden):
                status = 403
        else:
            label = TRANSITIONS[action].label
            messages.success(request, _("Done: %(action)s.") % {"action": label})
            return redirect(_safe_next(request, reverse("proposals:detail", args=[pk])))
    elif not confirming:
        messages.error(request, _("Please correct the marked fields."))
    if "letter" in form.fields and request.FILES.get(f"{action}-letter"):
        messages.warning(request, _("For your safety the browser does not keep a chosen file: choose the letter again."))
    proposal = _get(request, pk)  # fresh state for the page
    context = _detail_context(request, proposal, bound=(action, form))
    context["next"] = _safe_next(request, "")  # a form sent from a list goes back there once it succeeds
    return render(request, "proposals/detail.html", context, status=status)


@screen
def act_form(request, pk, action):
    """One action's form alone (the review queue loads it when its box is opened): the same 404 as a
    missing proposal for an action the user may not take on it now."""
    if action not in ACTION_FORMS:
        raise Http404
    proposal = _get(request, pk)
    actions = selectors.available_actions(request.user, proposal)
    transition = next((t for t in actions if t.action == action), None)
    if transition is None:
        raise Http404
    assignments = list(proposal.assignments.select_related("unit").prefetch_related("extension_requests"))
    replies = list(proposal.replies.select_related("assignment__unit", "evaluation"))
    ctx = {**_action_context(request, proposal, actions, assignments, replies), "merge_by_number": True}
    form = action_form(action, ctx=_ctx_for(action, ctx))
    form.auto_id = f"id_{proposal.pk}_%s"
    return render(request, "proposals/_action_form.html", {
        "e": _entry(transition, form, proposal), "proposal": proposal, "next": _safe_next(request, ""),
    })


@screen
def reply_letter(request, pk, reply_id):
    """The uploaded reply letter, for those who may see the proposal."""
    proposal = _get(request, pk)
    reply = proposal.replies.filter(pk=reply_id).first()
    if reply is None:
        raise Http404
    # a core attachment (xieshang.core.attachments): proposals decide who may have it, core streams it
    return attachment_response(reply.letter_attachment,
                               visible=selectors.may_download_reply_letter(request.user, reply))


# --- Staff: list, export, review, assignment ---------------------------------------------------


ROLE_ORDER = {AssignmentRole.SOLE: 0, AssignmentRole.LEAD: 1, AssignmentRole.SPLIT: 2, AssignmentRole.CO: 3}


# The columns the staff list shows (and what its rows are computed from); the list reads nothing else.
# Rows are plain tuples (`values_list`): building 50 model instances with three related ones each cost
# more than the page's SQL.
LIST_COLUMNS = (
    "id", "committee_id", "number", "title", "is_key", "state", "category", "proposer_kind", "sector_name",
    "lead_proposer__name", "organization__name", "special_committee__name",
)


def _list_queryset(qs):
    """The selector's plain list as tuples of LIST_COLUMNS and the rows' live units (no text bodies, no
    model instances, no second query). Apply it to the page's slice, not before counting: the count
    would keep the joins the columns need."""
    return selectors.with_live_units(qs).values_list(*LIST_COLUMNS, "live_units")


_ROW_LABELS: dict[tuple, tuple] = {}


def _row_labels() -> tuple:
    """The labels of states, categories and roles of the list's rows, the two texts of a due date and
    the detail URL pattern, made once per language (and URL prefix) per process (the template escapes
    them)."""
    from django.urls import get_script_prefix
    from django.utils.translation import get_language

    key = (get_language(), get_script_prefix())
    labels = _ROW_LABELS.get(key)
    if labels is None:
        labels = _ROW_LABELS[key] = (
            {value: str(label) for value, label in ProposalState.choices},
            None,  # categories: each committee's own (core.categories.label)
            {value: str(label) for value, label in AssignmentRole.choices},
            (_("overdue by %(days)s working days"), _("%(days)s working days left")),
            reverse("proposals:detail", args=[987654321]).replace("987654321", "{}"),
        )
    return labels


def _due(due, texts) -> tuple[str, str]:
    """The CSS classes and the text of a row's reply date (as proposals/_due.html shows them), "" for none."""
    if not due:
        return "", ""
    css = "due overdue" if due["overdue"] else "due due-soon" if due["due_soon"] else "due"
    text = cn_date(due["due_date"])
    if due["days_left"] is not None:
        overdue, left = texts
        text += " · " + (overdue % {"days": due["days_abs"]} if due["overdue"] else left % {"days": due["days_left"]})
    return css, text


def _rows(rows) -> list[dict]:
    """The rows of the staff list (proposals/list.html renders them) from `_list_queryset` tuples: their
    units come with them (no query per row, none for the units), labels, texts and the URL pattern made
    once, the working days left of all rows at once. Values only: the markup is the template's."""
    states, _categories, roles, due_texts, url_of = _row_labels()
    today = deadlines.today()
    remind: dict[int, tuple] = {}
    out = []
    with calendar.pinned():  # one read of the calendar's version for the whole page
        for pid, cid, number, title, is_key, state, category, kind, sector, person, org, special, units in rows:
            # by role (sole, lead, split, co), then in the order they were assigned (live_units' order)
            live = sorted(selectors.live_units(units), key=lambda a: ROLE_ORDER.get(a[0], 9))
            pending = [a for a in live if a[1] in deadlines.OPEN_STATES]
            due = None
            if pending:
                nearest = min(pending, key=lambda a: a[2])
                if cid not in remind:
                    remind[cid] = timers.timer(cid, "proposal.remind_before")
                due = deadlines._info(cid, nearest[2], nearest[1], today, remind[cid])
            due_class, due_text = _due(due, due_texts)
            proposer = (org if kind == ProposerKind.ORGANIZATION and org else
                        special if kind == ProposerKind.SPECIAL_COMMITTEE and special else person) or ""
            out.append({
                "id": pid, "url": url_of.format(pid), "number": number or "—", "title": title, "is_key": is_key,
                "proposer": proposer, "sector": sector, "category": category_label(cid, category),
                "state": state, "state_label": states.get(state) or state, "due_class": due_class,
                "due_text": due_text, "units": [(name, roles.get(role) or role) for role, _s, _d, _u, name, _id in live],
            })
    return out


@screen
def proposal_list(request):
    committee = _committee(request)
    filters = ProposalFilterForm(request.GET or None, committee=committee)
    qs = selectors.proposal_list(request.user, committee, filters.params() if request.GET else {}, plain=True)
    page = Paginator(qs, filters.per_page() if request.GET else DEFAULT_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _list_queryset(page.object_list)
    columns = PROPOSALS.header("page", request.GET.get("sort"))
    return render(request, "proposals/list.html", {
        "filters": filters,
        "page_obj": page, "rows": _rows(page.object_list),
        "columns": columns, "label": {c["key"]: c["label"] for c in columns},
        "is_staff": bool(roles_of(request.user, committee) & STAFF_ROLES),
        "bulk_actions": [(a, BULK_LABELS[a]) for a in selectors.bulk_actions_for(request.user, committee)],
    })


@screen
def export(request):
    """The filtered list as an Excel file (xieshang.proposals.exports). A list of at most
    XIESHANG_EXPORT_INLINE_MAX_ROWS rows is written at once and streamed; a longer one is prepared by
    the worker (xieshang.core.exports): a POST queues it and leads to 我的导出, a GET asks first."""
    committee = _committee(request)
    filters = ProposalFilterForm(request.GET or None, committee=committee)
    back = reverse("proposals:list") + ("?" + request.GET.urlencode() if request.GET else "")
    return _export(request, committee, filters.params(), back=back)


def _export(request, committee, params: dict, *, back: str, inline: bool = False):
    """The export of the list with `params` (the filters, or a selection's "ids"): streamed, or queued
    above the inline limit when the request is a POST (a GET asks first); a refusal goes `back`.
    `inline`: always streamed (a selection holds at most selectors.SELECTION_MAX rows)."""
    from xieshang.core import exports as background
    from xieshang.core.services import export_request

    from .exports import count_proposal_list, write_proposal_list

    rows = 0 if inline else count_proposal_list(request.user, committee, params)
    if rows > background.inline_limit():
        if request.method != "POST":
            return render(request, "proposals/export_confirm.html", {
                "rows": rows, "limit": background.inline_limit(), "query": request.GET.urlencode(),
            })
        try:
            export_request(actor=request.user, committee=committee, kind="proposals", params=params)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect(back)
        messages.success(request, _(
            "The list has %(rows)s proposals: the file is being prepared in the background. "
            "You will be notified when it is ready."
        ) % {"rows": rows})
        return redirect("core:exports")
    handle = tempfile.TemporaryFile()
    write_proposal_list(handle, user=request.user, committee=committee, params=params)
    handle.seek(0)
    filename = f"proposals-{deadlines.today():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=background.XLSX)


BULK_REASONS_SHOWN = 10  # refused rows named one by one in the summary; the rest are counted

# The staff list's actions on the ticked rows: what each is called on its button and in the summary.
BULK_LABELS = {
    "urge": gettext_lazy("Urge"), "mark_key": gettext_lazy("Mark as key"), "set_public": gettext_lazy("Publish"),
    "export": gettext_lazy("Export the selection"),
}


@screen
@require_POST
def bulk(request):
    """批量操作: the staff list's action on the ticked rows (services.proposals_act_bulk, each row through
    proposal_act), then back to the list with a summary: how many were done, and each refused row with its
    reason. "Export the selection" is the list's export restricted to the ticked ids, always written at
    once (a selection is short)."""
    committee = _committee(request)
    back = _safe_next(request, reverse("proposals:list"))
    action = request.POST.get("action", "")
    ids = selectors.selection_ids(request.POST.getlist("ids"), limit=None)
    if action == "export":
        if not ids or len(ids) > selectors.SELECTION_MAX:
            messages.error(request, _("Select between 1 and %(count)s proposals.") % {"count": selectors.SELECTION_MAX})
            return redirect(back)
        return _export(request, committee, {"ids": ids}, back=back, inline=True)
    try:
        results = services.proposals_act_bulk(actor=request.user, committee=committee, ids=ids, action=action)
    except Invalid as exc:
        errors = [str(m) for messages_ in (exc.field_errors or {}).values() for m in messages_]
        messages.error(request, errors[0] if errors else exc.message)
        return redirect(back)
    done = [r for r in results if r["ok"] and not r["unchanged"]]
    unchanged = [r for r in results if r["unchanged"]]
    refused = [r for r in results if not r["ok"]]
    label = BULK_LABELS.get(action, action)
    if unchanged:
        summary = _("%(action)s: %(done)s done, %(unchanged)s were so already, %(refused)s not done.")
    else:
        summary = _("%(action)s: %(done)s done, %(refused)s not done.")
    counts = {"action": label, "done": len(done), "unchanged": len(unchanged), "refused": len(refused)}
    (messages.warning if refused else messages.success)(request, summary % counts)
    for r in refused[:BULK_REASONS_SHOWN]:
        p = r["proposal"]
        name = (p.number or p.title) if p is not None else "#%s" % r["id"]
        messages.error(request, _("%(proposal)s: %(reason)s") % {"proposal": name, "reason": r["error"]})
    if len(refused) > BULK_REASONS_SHOWN:
        messages.error(request, _("… and %(count)s more not done.") % {"count": len(refused) - BULK_REASONS_SHOWN})
    return redirect(back)


def _review_context(request, committee):
    """The review queue: each row with its five actions. The forms are not rendered with the page: each
    opens (htmx, `act_form`) when its box is opened — fifty rows of five forms cost a second a page. The
    merge form takes the target's number (or id) typed in, checked when sent (`_merge_target`), instead
    of a list of every possible target."""
    from urllib.parse import quote

    qs = selectors.review_queue(committee).defer(*LIST_DEFERRED)
    page = _page(request, qs)
    actions = [(a, TRANSITIONS[a].label) for a in REVIEW_ACTIONS]
    form_url = reverse("proposals:act_form", args=[987654321, "ACTION"]).replace("987654321", "{pk}").replace("ACTION", "{action}")
    next_ = quote(request.get_full_path(), safe="/")
    rows = [
        {"p": p, "actions": [{"action": a, "label": label, "url": f"{form_url.format(pk=p.pk, action=a)}?next={next_}"}
                             for a, label in actions]}
        for p in page.object_list
    ]
    return {"page_obj": page, "rows": rows}


# The review queue's actions; each has a form, loaded when its box is opened.
REVIEW_ACTIONS = ("register", "return_for_revision", "merge", "convert", "reject")


@screen
def review(request):
    committee = _committee(request)
    _require_roles(request, STAFF_ROLES)
    return render(request, "proposals/review.html", _review_context(request, committee))


@screen
def assign(request, pk):
    committee = _committee(request)
    proposal = _get(request, pk)
    if "assign" not in {t.action for t in selectors.available_actions(request.user, proposal)}:
        messages.warning(request, _("This proposal cannot be assigned now."))
        return redirect("proposals:detail", pk=proposal.pk)
    if request.method == "POST":
        form = AssignForm(request.POST, committee=committee)
        if form.is_valid():
            try:
                services.proposal_act(
                    actor=request.user, proposal=proposal, action="assign", data={"units": form.units()},
                    expected_version=form.cleaned_data.get("version"),
                )
            except NotFound:
                raise
            except ServiceError as exc:
                field_map = {"units": "mode"}
                exc.field_errors = {field_map.get(k, k): v for k, v in (exc.field_errors or {}).items()}
                _apply_error(request, form, exc)
            else:
                messages.success(request, _("The proposal is assigned."))
                return redirect("proposals:detail", pk=proposal.pk)
    else:
        # ?accept=ids: the units the text engine suggested, accepted with one click (xieshang.text)
        from xieshang.text.services import units_text

        suggested = units_text(committee, request.GET.get("accept")) or proposal.suggested_units
        form = AssignForm(committee=committee, initial={"version": proposal.version}, suggested=suggested)
    return render(request, "proposals/assign.html", {"form": form, "proposal": proposal})


def _batch_report(result, proposals_by_id):
    """Turn the batch service's result into [(proposal, ok, message)] whatever its exact shape."""
    report = []
    items = result
    if isinstance(result, dict):
        items = result.get("results") or result.get("items") or [
            {"proposal": k, **(v if isinstance(v, dict) else {"ok": bool(v)})} for k, v in result.items()
        ]
    for item in items or []:
        if isinstance(item, dict):
            p = item.get("proposal")
            ok = item.get("ok", not item.get("error"))
            message = item.get("error") or item.get("message") or ""
        else:
            p, ok, message = (list(item) + [None, None, ""])[:3]
            if isinstance(ok, BaseException):
                ok, message = False, getattr(ok, "message", str(ok))
            elif isinstance(ok, str):
                ok, message = False, ok
            elif ok is None:
                ok = True
        if isinstance(message, BaseException):
            message = getattr(message, "message", str(message))
        pid = p if isinstance(p, int) else getattr(p, "pk", None)
        report.append({"proposal": proposals_by_id.get(pid, p), "ok": bool(ok), "message": str(message or "")})
    return report


@screen
def assign_batch(request):
    """交办会: assign many registered proposals on one page."""
    committee = _committee(request)
    _require_roles(request, STAFF_ROLES)
    units = pickers.units_to_assign(committee)
    registered = selectors.proposal_list(request.user, committee, {"state": ProposalState.REGISTERED, "sort": "number"})
    report = None
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("ids") if _int_or_none(v)]
        # All the visible ones named, whatever their state now: one assigned meanwhile is reported, not dropped.
        proposals = list(selectors.proposal_list(request.user, committee, {"sort": "number"}).filter(pk__in=ids))
        form = BatchAssignForm(request.POST, proposals=proposals, units=units)
        page = None
        if form.is_valid():
            try:
                result = services.proposals_assign_batch(actor=request.user, items=form.items())
            except NotFound:
                raise
            except ServiceError as exc:
                _apply_error(request, form, exc)
            else:
                report = _batch_report(result, {p.pk: p for p in proposals})
                done = sum(1 for r in report if r["ok"])
                failed = [r for r in report if not r["ok"]]
                if done:
                    messages.success(request, _("%(count)d proposals are assigned.") % {"count": done})
                if not failed:
                    return redirect("proposals:assign_batch")
                # Keep the rows that failed on the page, with what was chosen for them.
                keep = {getattr(r["proposal"], "pk", r["proposal"]) for r in failed}
                proposals = [p for p in proposals if p.pk in keep]
                form = BatchAssignForm(request.POST, proposals=proposals, units=units)
                form.is_valid()
                for r in failed:
                    pk = getattr(r["proposal"], "pk", r["proposal"])
                    if f"unit_{pk}" in form.fields:
                        form.add_error(f"unit_{pk}", r["message"] or _("Not assigned."))
    else:
        page = _page(request, registered)
        form = BatchAssignForm(proposals=page.object_list, units=units)
    return render(request, "proposals/assign_batch.html", {"form": form, "page_obj": page, "report": report, "units": units})


@screen
def extensions(request):
    committee = _committee(request)
    _require_roles(request, STAFF_ROLES)
    page = _page(request, selectors.extension_requests_pending(committee))
    rows = list(page.object_list)
    assignments = [r.assignment for r in rows]
    deadlines.due_infos(assignments)
    for r in rows:
        r.due = r.assignment.due
    return render(request, "proposals/extensions.html", {"page_obj": page, "rows": rows})


@screen
def overdue(request):
    committee = _committee(request)
    _require_roles(request, BOARD_ROLES)
    page = _page(request, selectors.overdue_assignments(committee))
    rows = list(page.object_list)
    deadlines.due_infos(rows)
    return render(request, "proposals/overdue.html", {"page_obj": page, "rows": rows})


@screen
def dissatisfied(request):
    """Replied proposals found dissatisfying in their current round: the office re-handles or closes them."""
    from django.db.models import Prefetch

    from .models import Evaluation

    committee = _committee(request)
    _require_roles(request, STAFF_ROLES)
    page = _page(request, selectors.dissatisfied_to_decide(committee).prefetch_related(
        Prefetch("evaluations", to_attr="dissatisfied_evaluations", queryset=Evaluation.objects.filter(
            verdict=EvaluationVerdict.DISSATISFIED).select_related("reply__assignment__unit").order_by("id"))))
    rows = list(page.object_list)
    for p in rows:
        p.dissatisfied_evaluations = [e for e in p.dissatisfied_evaluations if e.reply.round == p.round]
    return render(request, "proposals/dissatisfied.html", {"page_obj": page, "rows": rows})


@screen
def evaluation_questions(request):
    """The committee's sub-verdict questions of the evaluation (office staff and administrators)."""
    committee = _committee(request)
    _require_roles(request, STAFF_ROLES)
    questions = selectors.evaluation_questions(committee)
    if request.method == "POST":
        form = EvaluationQuestionsForm(request.POST)
        if form.is_valid():
            try:
                services.evaluation_questions_set(actor=request.user, committee=committee, questions=form.parsed())
            except ServiceError as exc:
                _apply_error(request, form, exc)
            else:
                messages.success(request, _("The evaluation questions were saved."))
                return redirect("proposals:evaluation_questions")
    else:
        initial = EvaluationQuestionsForm.as_text(questions) if selectors.evaluation_questions_custom(committee) else ""
        form = EvaluationQuestionsForm(initial={"questions": initial})
    return render(request, "proposals/evaluation_questions.html", {
        "form": form, "questions": questions, "custom": selectors.evaluation_questions_custom(committee),
    })


# --- Units and leaders ----------------------------------------------------------------------------


@screen
def unit_inbox(request):
    committee = _committee(request)
    _require_roles(request, {Role.UNIT})
    tab = request.GET.get("tab") or INBOX_TABS[0]
    if tab not in INBOX_TABS:
        tab = INBOX_TABS[0]
    page = _page(request, selectors.unit_inbox(request.user, committee, tab).defer(
        *(f"proposal__{name}" for name in LIST_DEFERRED), "objection_reason"))
    rows = list(page.object_list)
    deadlines.due_infos(rows)
    tabs = [
        {"key": "to_acknowledge", "label": _("To acknowledge")},
        {"key": "handling", "label": _("Being handled")},
        {"key": "due_soon", "label": _("Due soon")},
        {"key": "replied", "label": _("Replied")},
    ]
    return render(request, "proposals/unit_inbox.html", {"page_obj": page, "rows": rows, "tab": tab, "tabs": tabs})


@screen
def supervised(request):
    committee = _committee(request)
    _require_roles(request, {Role.LEADER, Role.STAFF, Role.ADMIN})
    page = _page(request, selectors.supervised_by(request.user, committee))
    rows = []
    for p in page.object_list:
        form = action_form("supervise", ctx={"proposal": p})
        form.auto_id = f"id_{p.pk}_%s"
        rows.append({"p": p, "form": form})
    return render(request, "proposals/supervised.html", {"page_obj": page, "rows": rows})
