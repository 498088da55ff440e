from django import template

from .. import formats

register = template.Library()


@register.filter
def cn_date(value):
    return formats.cn_date(value)


@register.filter
def cn_datetime(value):
    return formats.cn_datetime(value)


@register.simple_tag
def percent(numerator, denominator):
    return formats.percent(numerator, denominator)


@register.inclusion_tag("core/_timeline.html")
def timeline(events):
    """The reusable timeline of any object: pass `xieshang.core.audit.timeline(obj)`. Events without a `label`
    get the one their app declares (`audit.event_label`); states without a `from_label` / `to_label` the names
    their Machine gives them (`workflow.state_label_of`)."""
    from xieshang.core.audit import change_rows, event_label
    from xieshang.core.workflow import state_label_of

    events = list(events or ())
    for event in events:
        if not getattr(event, "label", None):
            event.label = event_label(event.action)
        for attr in ("from", "to"):
            if not getattr(event, f"{attr}_label", None):
                setattr(event, f"{attr}_label", state_label_of(event.action, getattr(event, f"{attr}_state", None)))
        payload = getattr(event, "payload", None)
        if payload and payload.get("changes"):  # what an edit changed (old → new), fields named for people
            from django.contrib.contenttypes.models import ContentType

            type_id = getattr(event, "content_type_id", None)
            model = ContentType.objects.get_for_id(type_id).model_class() if type_id else None  # cached
            event.change_rows = change_rows(payload, model)
    return {"events": events}


@register.simple_tag(takes_context=True)
def scope_names(context):
    """{% scope_names as scopes %}: what the signed-in user acts for in the current committee, by role
    (core.selectors.scope_names_of: {"unit": [...], "station": [...], ...})."""
    from ..selectors import scope_names_of

    request = context.get("request")
    user = getattr(request, "user", None)
    return scope_names_of(user, context.get("current_committee"))
