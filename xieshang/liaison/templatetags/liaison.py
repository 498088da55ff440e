"""`{% visit_origin obj %}`: the small "from a contact visit" line on the page of a demand, proposal or opinion
report made from a visit's suggestion (selectors.origin_of); nothing for anything else. The leader's name and
the date are shown to whoever sees the page; the link to the visit only to those who may see visits."""

from django import template

register = template.Library()


@register.inclusion_tag("liaison/_origin.html", takes_context=True)
def visit_origin(context, obj):
    from xieshang.liaison import selectors

    suggestion = selectors.origin_of(obj) if obj is not None and getattr(obj, "pk", None) else None
    request = context.get("request")
    user = getattr(request, "user", None)
    may_open = bool(suggestion and user is not None and selectors.is_reader(user, suggestion.committee_id))
    return {"suggestion": suggestion, "may_open": may_open}
