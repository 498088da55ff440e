"""The address a request comes from, for the sign-in lock-out and the audit trail.

Behind a reverse proxy every request comes from the proxy's address. The client's address is then read
from X-Forwarded-For, but only when the request comes from a proxy listed in XIESHANG_TRUSTED_PROXIES
(addresses or CIDR blocks): anyone else can write that header. The address taken is the right-most one
in X-Forwarded-For that is not a trusted proxy: every proxy appends the address it saw, so the entries
to its left were written by the client and may be invented.
"""

from __future__ import annotations

import functools
import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def parse_proxies(entries) -> tuple[tuple, list[str]]:
    """The networks of XIESHANG_TRUSTED_PROXIES and the entries that are no address or CIDR block."""
    networks, bad = [], []
    for entry in entries:
        if not str(entry).strip():
            continue
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            bad.append(str(entry))
    return tuple(networks), bad


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple:
    # Parsed once per setting. A bad entry is reported by the system check `core.E001` at start-up; here it is
    # logged once and trusts nothing (the request's own address is taken), instead of failing every request.
    networks, bad = parse_proxies(entries)
    for entry in bad:
        logger.error("XIESHANG_TRUSTED_PROXIES: %r is not an IP address or network; it is ignored.", entry)
    return networks


def _parse(value: str):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def is_trusted_proxy(address) -> bool:
    networks = _networks(tuple(getattr(settings, "XIESHANG_TRUSTED_PROXIES", ()) or ()))
    return address is not None and any(address in network for network in networks)


def client_address(request) -> str | None:
    """The client's IP address (text), or None when the request has none."""
    if request is None:
        return None
    remote = _parse(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    if not is_trusted_proxy(remote):
        return str(remote)
    hops = [_parse(part) for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(hops):
        if hop is None:  # a garbled entry: what lies to its left cannot be trusted either
            break
        if not is_trusted_proxy(hop):
            return str(hop)
    return str(remote)
