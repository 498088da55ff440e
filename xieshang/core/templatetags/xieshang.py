from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

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


_FIXED_URLS: dict[tuple, str] = {}


@register.simple_tag
def fixed_url(name: str) -> str:
    """`{% url name %}` for a view that takes no arguments, reversed once per process (and URL prefix and
    URL configuration): the header and the lists show a dozen such links on every page."""
    key = (name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    url = _FIXED_URLS.get(key)
    if url is None:
        url = _FIXED_URLS[key] = reverse(name)
    return url
