"""Core's system checks (run by `xieshang check`, `migrate` and `runserver`): settings that would otherwise
fail on every request."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def trusted_proxies_check(app_configs=None, **kwargs) -> list:
    from .addresses import parse_proxies

    _networks, bad = parse_proxies(getattr(settings, "XIESHANG_TRUSTED_PROXIES", ()) or ())
    return [checks.Error(f"XIESHANG_TRUSTED_PROXIES: {entry!r} is not an IP address or network.",
                         hint="Give addresses or CIDR blocks, separated by commas, e.g. 10.0.0.2,10.1.0.0/16.",
                         id="core.E001")
            for entry in bad]
