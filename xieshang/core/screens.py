"""What every app's page views share: the signed-in decorator with core's one 404/403 mapping, the
request's committee, and "this page is not for your roles" (which answers 404, like a missing page)."""

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
