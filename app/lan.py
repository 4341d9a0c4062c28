"""The address the room's devices open: a server bound to every interface (0.0.0.0) is
reached at this machine's network address, not at 0.0.0.0."""

from __future__ import annotations

import ipaddress
import socket

from app.origins import WILDCARD_ADDRESSES


def lan_address() -> str | None:
    """This machine's IPv4 address on the network of its default route, or None (no network).
    Connecting a UDP socket sends nothing: it only asks the kernel which interface it would use."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if ipaddress.ip_address(address).is_loopback else address


def browse_url(host: str, port: int) -> str:
    """The URL to open for a server listening on `host`:`port`: a wildcard address becomes
    the machine's network address (127.0.0.1 if it has none)."""
    if host in WILDCARD_ADDRESSES:
        host = lan_address() or "127.0.0.1"
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"http://{host}:{port}/"
