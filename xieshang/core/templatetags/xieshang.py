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
    """The reusable timeline of any object: pass `xieshang.core.audit.timeline(obj)`."""
    return {"events": events}
