from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .errors import ServiceError, pages
from .forms import EnrolForm, PasswordChangeForm, SignInCodeForm, SignInForm
from .middleware import SESSION_KEY
from .screens import form_error
from .sign_in import MUST_ENROL_KEY, LockedOut, SecondFactorRequired, pending_user
from .models import Role
from .selectors import committees_of, notifications_for, primary_role, roles_of, todos_for


def _after_sign_in(request, next_url: str):
    if request.session.get(MUST_ENROL_KEY):  # an administrator without a second factor sets one up first
        response = redirect("core:account_second_factor")  # (the page says why)
    elif next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        response = HttpResponseRedirect(next_url)
    else:
        response = redirect("core:home")
    if getattr(request.user, "language", ""):  # the language the person chose on another computer follows them
        from django.conf import settings

        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, request.user.language, max_age=settings.LANGUAGE_COOKIE_AGE,
                            path=settings.LANGUAGE_COOKIE_PATH, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY)
    return response


def sign_in(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignInForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    ask_code = bool(request.POST.get("otp"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.auth_sign_in(request=request, username=data["username"], password=data["password"],
                                         otp=data.get("otp") or None)
        except SecondFactorRequired as exc:  # slowed down by failures: the code comes with the password
            form.add_error(None, exc.message)
            ask_code = True
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            if user is None:  # the password was right; the account's code comes next
                target = reverse("core:login_code")
                return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
            return _after_sign_in(request, next_url)
    return render(request, "core/sign_in.html", {"form": form, "next": next_url, "ask_code": ask_code}, status=200)


def sign_in_code(request):
    """The second step of signing in, for an account with two-step sign-in."""
    if request.user.is_authenticated:
        return redirect("core:home")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if pending_user(request) is None:
        messages.info(request, _("The sign-in has expired. Enter your user name and password again."))
        return redirect("core:login")
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.auth_sign_in_code(request=request, code=form.cleaned_data["code"])
        except LockedOut as exc:
            messages.error(request, exc.message)
            return redirect("core:login")
        except ServiceError as exc:
            form_error(request, form, exc)
        else:
            return _after_sign_in(request, next_url)
    return render(request, "core/sign_in_code.html", {"form": form, "next": next_url})


@require_POST
def language_set(request):
    """Django's language switch (the cookie), and for a signed-in person the choice kept on the account."""
    from django.views.i18n import set_language

    response = set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.user_language_set(actor=request.user, language=request.POST.get("language", ""))
    return response


@require_POST  # a link or an image on another site must not sign anyone out
def sign_out(request):
    services.auth_sign_out(request=request)
    return redirect("core:login")


@login_required
def account(request):
    """The signed-in user's own account: password and two-step sign-in."""
    from . import second_factor

    return render(request, "core/account.html", {
        "enrolled": second_factor.is_enrolled(request.user),
        "required": second_factor.is_required(request.user),
        "codes_left": second_factor.recovery_codes_left(request.user),
    })


@login_required
def account_password(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.auth_password_change(actor=request.user, old=form.cleaned_data["old"],
                                          new=form.cleaned_data["new"], request=request)
        except LockedOut as exc:
            messages.error(request, exc.message)
        except ServiceError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Your password has been changed. Your other sessions and API tokens have "
                                        "been ended."))
            return redirect("core:account")
    return render(request, "core/account_password.html", {"form": form}, status=422 if form.errors else 200)


@login_required
def account_second_factor(request):
    """Set up two-step sign-in: scan the QR code, confirm a code, see the ten recovery codes once."""
    from . import second_factor

    enrolled = second_factor.is_enrolled(request.user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.second_factor_enrol_confirm(actor=request.user, code=form.cleaned_data["code"],
                                                              password=form.cleaned_data["password"], request=request)
        except ServiceError as exc:
            form_error(request, form, exc)
        else:
            request.session.pop(MUST_ENROL_KEY, None)
            # Shown on this answer only (not after a redirect): the codes are not kept anywhere readable.
            response = render(request, "core/account_second_factor.html", {"codes": codes, "enrolled": True})
            response["Cache-Control"] = "no-store"
            return response
    setting_up = not enrolled or request.GET.get("new") == "1" or request.method == "POST"
    context = {"form": form, "enrolled": enrolled, "setting_up": setting_up,
               "must_enrol": bool(request.session.get(MUST_ENROL_KEY)),
               "ask_password": second_factor.password_needed(request.user, request)}
    if setting_up:
        device = second_factor.second_factor_enrol_start(actor=request.user)
        context.update(qr_svg=second_factor.qr_svg(device), secret=second_factor.secret_text(device))
    response = render(request, "core/account_second_factor.html", context, status=422 if form.errors else 200)
    response["Cache-Control"] = "no-store"
    return response


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
@pages  # not this user's notification: the same 404 as a missing one
def inbox_read(request, pk=None):
    services.notification_mark_read(actor=request.user, notification_id=pk)
    target = request.POST.get("next") or reverse("core:inbox")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("core:inbox")
    return redirect(target)


@login_required
def exports(request):
    """我的导出: the user's background exports; polls itself (htmx) while one is being prepared."""
    from django.utils.cache import patch_vary_headers

    from . import exports as background
    from .models import Export
    from .selectors import exports_of

    now = timezone.now()
    rows = []
    kinds = background.kinds()
    for export in exports_of(request.user)[:100]:
        kind = kinds.get(export.kind)
        rows.append({
            "export": export, "label": kind.label if kind else export.kind,
            "downloadable": background.is_downloadable(export, now),
            "expired": export.state == Export.State.DONE and not background.is_downloadable(export, now),
            "message": background.message_of(export),
        })
    pending = any(row["export"].state in (Export.State.QUEUED, Export.State.RUNNING) for row in rows)
    template = "core/_exports.html" if getattr(request, "htmx", False) else "core/exports.html"
    response = render(request, template, {"rows": rows, "pending": pending, "keep_days": background.keep_days()})
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@pages
def export_download(request, pk):
    """The file of one of the user's exports; anyone else's is the same 404 as a missing one."""
    from django.http import FileResponse

    from . import exports as background
    from .selectors import export_get

    export = export_get(request.user, pk)
    if not background.is_downloadable(export):
        if background.is_expired(export) or export.state == export.State.DONE:
            messages.warning(request, _("This export has expired. Export the list again."))
        elif export.state == export.State.FAILED:
            messages.error(request, _("This export failed: %(message)s") % {"message": background.message_of(export)})
        else:
            messages.info(request, _("This export is still being prepared."))
        return redirect("core:exports")
    try:
        handle = export.file.open("rb")
    except (FileNotFoundError, OSError):
        messages.warning(request, _("This export has expired. Export the list again."))
        return redirect("core:exports")
    return FileResponse(handle, as_attachment=True, filename=background.filename_of(export),
                        content_type=background.content_type_of(export))


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
