from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .errors import NotFound, ServiceError
from .forms import SignInForm
from .middleware import SESSION_KEY
from .models import Role
from .selectors import committees_of, notifications_for, primary_role, roles_of, todos_for


def sign_in(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignInForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        try:
            services.auth_sign_in(request=request, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                return HttpResponseRedirect(next_url)
            return redirect("core:home")
    return render(request, "core/sign_in.html", {"form": form, "next": next_url}, status=200)


@require_POST
def sign_out(request):
    services.auth_sign_out(request=request)
    return redirect("core:login")


@login_required
def home(request):
    committee = request.committee or None
    role = primary_role(request.user, committee) if committee else None
    context = {
        "role": role,
        "roles": roles_of(request.user, committee) if committee else set(),
        "todos": todos_for(request.user, committee),
        "recent_notifications": notifications_for(request.user)[:5],
        "Role": Role,
    }
    return render(request, "core/home.html", context)


@login_required
@require_POST
def switch_committee(request):
    value = request.POST.get("committee", "")
    is_id = value.isascii() and value.isdigit() and len(value) <= 18
    committee = committees_of(request.user).filter(pk=int(value)).first() if is_id else None
    if committee is None:  # not a committee, or one where this user has no role
        raise Http404
    request.session[SESSION_KEY] = committee.pk
    return redirect("core:home")


@login_required
def inbox(request):
    items = notifications_for(request.user)[:200]
    return render(request, "core/inbox.html", {"items": items})


@login_required
@require_POST
def inbox_read(request, pk=None):
    try:
        services.notification_mark_read(actor=request.user, notification_id=pk)
    except NotFound:  # not this user's notification: the same 404 as a missing one
        raise Http404 from None
    target = request.POST.get("next") or reverse("core:inbox")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("core:inbox")
    return redirect(target)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token: say what to do, in the shell, instead of Django's bare page.

    Rendering the page sets a fresh token, so sending the reloaded form again works."""
    back = request.META.get("HTTP_REFERER", "")  # the page with the form (same-origin referrers are sent)
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "/"
    return render(request, "core/csrf_failure.html", {"back": back}, status=403)


def server_error(request):
    return render(request, "500.html", status=500)
