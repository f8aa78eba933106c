"""The address policy and name resolution: which addresses Herald may connect to."""

from __future__ import annotations

import functools
import ipaddress
import socket
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from herald.core.fetching.deadline import remaining
from herald.core.fetching.errors import (
    BlockedAddress,
    ConnectionFailed,
    DeadlineExceeded,
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


# --- Address policy -------------------------------------------------------------------
# Ranges refused even where `is_global` says otherwise (it calls multicast and some
# special-purpose blocks global), listed so that the policy reads in one place.
_BLOCKED_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",  # "this network", unspecified
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, cloud metadata services
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
        "::/128",  # unspecified
        "::1/128",  # loopback
        "::/96",  # IPv4-compatible (deprecated)
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, Teredo included
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIX_TO_FOUR:
        return address.sixtofour
    return None


def is_public_address(address: IPAddress) -> bool:
    """True if the address is a public unicast address Herald may connect to.

    Refuses loopback, private, link-local, carrier-grade NAT, multicast, reserved,
    documentation and unspecified ranges, and IPv6 addresses that embed one of these
    (IPv4-mapped, NAT64, 6to4).
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return False
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public_address(embedded)
    if any(address in network for network in _BLOCKED_NETWORKS):
        return False
    return address.is_global and not address.is_multicast


@functools.lru_cache(maxsize=8)
def _parse_allowed(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"HERALD_FETCH_ALLOWED_ADDRESSES: {entry!r} is not an IP address "
                "or network."
            ) from error
    return tuple(networks)


def is_allowed_address(address: IPAddress) -> bool:
    """True if Herald may connect to the address: public, or explicitly allowed."""
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        return False  # a zone index only ever qualifies link-local addresses
    allowed = _parse_allowed(tuple(settings.HERALD_FETCH_ALLOWED_ADDRESSES))
    if any(address in network for network in allowed):
        return True
    return is_public_address(address)


# --- Name resolution ------------------------------------------------------------------
def _getaddrinfo(host: str, port: int) -> list[IPAddress]:
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM
    ):
        try:
            address = ipaddress.ip_address(sockaddr[0])
        except ValueError as error:
            raise BlockedAddress(
                f"{host} resolves to {sockaddr[0]!r}, not a plain IP address"
            ) from error
        if address not in addresses:
            addresses.append(address)
    return addresses


def resolve(host: str, port: int, deadline: float) -> list[IPAddress]:
    """Resolve `host` once, within the deadline, and check every address it gives.

    The system resolver has no timeout of its own that we control, so it runs in a
    daemon thread that is abandoned at the deadline.
    """
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        pass  # a name: resolved below
    else:
        if not is_allowed_address(literal):
            raise BlockedAddress(f"{host} is not a public address")
        return [literal]
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["addresses"] = _getaddrinfo(host, port)
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error

    thread = threading.Thread(target=work, name=f"resolve {host}", daemon=True)
    thread.start()
    thread.join(remaining(deadline))
    if thread.is_alive():
        raise DeadlineExceeded(f"while resolving {host}")
    error = outcome.get("error")
    if isinstance(error, socket.gaierror):
        raise ConnectionFailed(f"cannot resolve {host}: {error.strerror}")
    if isinstance(error, BaseException):
        raise error
    addresses = outcome["addresses"]
    assert isinstance(addresses, list)
    if not addresses:
        raise ConnectionFailed(f"cannot resolve {host}: no addresses")
    for address in addresses:
        if not is_allowed_address(address):
            raise BlockedAddress(
                f"{host} resolves to {address}, which is not a public address"
            )
    return addresses
