"""What every app's page views share: the signed-in decorator with core's one 404/403 mapping, the
request's committee, "this page is not for your roles" (which answers 404, like a missing page), and the
answers every app's pages give: a list's page or its Excel file (`list_page`), a Word file (`docx_response`),
a link that is "#" while its page does not exist (`url_or_hash`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404

from .errors import pages
from .middleware import committee_of_request
from .selectors import roles_of


def screen(view):
    """Signed-in only; a NotFound from a selector or service is the 404 page, a Forbidden the 403 page
    (xieshang.core.errors.pages: the one mapping pages and the API share)."""
    return login_required(pages(view))


def committee_or_404(request):
    """The committee the request works in (chosen in the shell); no committee → 404."""
    committee = committee_of_request(request)
    if committee is None:
        raise Http404
    return committee


def require_roles(request, roles) -> None:
    """A page meant for other roles does not exist for this user."""
    if not roles_of(request.user, committee_or_404(request)) & set(roles):
        raise Http404


def form_error(request, form, exc, *, field_for=None) -> None:
    """Put a service error on the page's form: each field error next to its field (`field_for(name)` may
    name the field it belongs beside), one a form does not show (unknown or hidden) at the top of the form;
    the error's message as the page's message. What was typed stays in the bound form."""
    from django.contrib import messages

    for field, message in (exc.field_errors or {}).items():
        text = message if isinstance(message, str) else "; ".join(str(m) for m in message)
        if form is not None:
            if field_for is not None:
                field = field_for(field)
            shown = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if shown else None, text)
    messages.error(request, str(exc.message))


def attachment_removed(request, remove, back: str):
    """The screen of removing an attached file, for every app: run `remove()` (the app's service), say what
    happened, and go back to `back`. A file or object the user may not see stays the same 404 (or 403)."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from .errors import Forbidden, NotFound, ServiceError

    try:
        remove()
    except (NotFound, Forbidden):
        raise
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The file is removed."))
    return redirect(back)


def url_or_hash(name: str, *args) -> str:
    """reverse() that answers "#" for a page that does not exist (an app not installed, a page not yet built)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return "#"


def xlsx_response(listdef, rows, *, layout: str = "export"):
    """The rows as the list's Excel file (core.lists.ListDef.write_xlsx: title row, frozen header, numeric
    cells), written to a temporary file and streamed; named `<list>-<date>.xlsx`."""
    import tempfile

    from django.http import FileResponse
    from django.utils import timezone

    from .exports import XLSX

    handle = tempfile.TemporaryFile()
    listdef.write_xlsx(handle, rows, layout=layout)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{listdef.name}-{timezone.localdate():%Y%m%d}.xlsx",
                        content_type=XLSX)


def list_page(request, listdef, qs, template: str, context: dict, *, filters, params: dict):
    """The page of a list (`page_obj`, `rows`, `filters`, `heads` added to `context`), or with `?format=xlsx`
    every filtered row (up to core.lists.EXPORT_MAX_ROWS) as Excel. `qs` is filtered; it is sorted here."""
    from django.shortcuts import render

    from .lists import EXPORT_MAX_ROWS, heads, page_of

    qs = listdef.order(qs, params.get("sort"))
    if request.GET.get("format") == "xlsx":
        return xlsx_response(listdef, qs[:EXPORT_MAX_ROWS].iterator())
    page = page_of(listdef, qs, request)
    return render(request, template, {**context, "page_obj": page, "rows": list(page.object_list),
                                      "filters": filters, "heads": heads(listdef, params.get("sort"))})


def docx_response(content: bytes, filename: str):
    """A Word file (core.documents.to_bytes) as a download named `filename` (Chinese names kept, RFC 6266)."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    from .documents import DOCX

    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def form_call(request, form, call, done) -> bool:
    """`call()` once `form` is valid (None: no form), then the message `done`; False with the form's errors, or
    with a ServiceError placed next to its field (`form_error`; everything typed kept). NotFound and Forbidden
    go on to the error pages."""
    from django.contrib import messages
    from django.utils.translation import gettext as _

    from .errors import Forbidden, NotFound, ServiceError

    if form is not None and not form.is_valid():
        messages.error(request, _("Please correct the marked fields."))
        return False
    try:
        call()
    except (NotFound, Forbidden):
        raise
    except ServiceError as exc:
        form_error(request, form, exc)
        return False
    messages.success(request, done)
    return True
