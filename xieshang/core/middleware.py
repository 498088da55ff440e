"""The committee a signed-in user is working in (chosen in the header; remembered in the session)."""

from django.utils.functional import SimpleLazyObject

from .models import Committee
from .selectors import committees_of, default_committee

SESSION_KEY = "xieshang_committee_id"


def _committee_for(request):
    user = request.user
    if not user.is_authenticated:
        return None
    cid = request.session.get(SESSION_KEY)
    if cid:
        committee = committees_of(user).filter(pk=cid).first()
        if committee is not None:
            return committee
    return default_committee(user)


class CommitteeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.committee = SimpleLazyObject(lambda: _committee_for(request))
        return self.get_response(request)


def committee_of_request(request) -> Committee | None:
    committee = getattr(request, "committee", None)
    # Unwrap the lazy object so that `is None` works.
    if committee is not None and not committee:
        return None
    return committee._wrapped if hasattr(committee, "_wrapped") and committee._wrapped is not None else committee
