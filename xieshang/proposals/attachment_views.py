"""The screens of a proposal's attached files (proposals.attachments): attach, remove, download. Thin: the
services decide; a proposal the user may not see, or whose files they may not have, is the same 404."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieshang.core.attachments import attachment_download
from xieshang.core.errors import Forbidden, NotFound, ServiceError
from xieshang.core.screens import attachment_removed, form_error, screen

from . import attachments
from .forms import AttachmentForm
from .models import PROPOSAL_MATERIAL
from .views import _detail_context, _get


def _back(pk) -> str:
    return reverse("proposals:detail", args=[pk]) + "#attachments"


@screen
@require_POST
def attachment_add(request, pk):
    proposal = _get(request, pk)
    form = AttachmentForm(request.POST, request.FILES, auto_id="id_attachment_%s")
    if form.is_valid():
        try:
            attachments.proposal_attachment_add(actor=request.user, proposal=proposal, file=form.cleaned_data["file"])
        except (NotFound, Forbidden):
            raise
        except ServiceError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("The file is attached."))
            return redirect(_back(pk))
    else:
        messages.error(request, _("Please correct the marked fields."))
    proposal = _get(request, pk)
    context = _detail_context(request, proposal)
    context["attachment_form"] = form
    return render(request, "proposals/detail.html", context, status=422)


@screen
@require_POST
def attachment_remove(request, pk, attachment_id):
    proposal = _get(request, pk)
    return attachment_removed(request, lambda: attachments.proposal_attachment_remove(
        actor=request.user, proposal=proposal, attachment=attachment_id), _back(pk))


@screen
def attachment(request, pk, attachment_id):
    """One attached file, for those who may have the proposal's documents (anyone else: 404)."""
    proposal = _get(request, pk)
    return attachment_download(proposal, attachment_id, purpose=PROPOSAL_MATERIAL,
                               visible=attachments.may_see_attachments(request.user, proposal))
