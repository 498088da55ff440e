from .navigation import items_for
from .selectors import committee_list, primary_role, roles_of, unread_count


def shell(request):
    """What the base layout needs: the committee, the user's roles, the menu, the unread count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_current": None, "unread_count": 0}
    committee = getattr(request, "committee", None)
    committee = committee if committee else None
    roles = roles_of(user, committee) if committee else set()
    return {
        "current_committee": committee,
        "user_committees": committee_list(user),
        "user_roles": roles,
        "primary_role": primary_role(user, committee) if committee else None,
        "nav_items": items_for(roles),
        "nav_current": match.view_name if (match := request.resolver_match) else None,
        "unread_count": unread_count(user),
    }
