"""What a tenant's connectors may reach: the platform operator's allowance, checked on every use.

A tenant admin writes a connector's `path`, `base_url` or `host`; without a fence that is a way to
read another airline's drop folder or the instance directory (every tenant's blobs and spool), and
to make the server probe addresses only it can reach (Redis, PostgreSQL, a cloud metadata service).
The operator decides, per tenant, in the environment (see `config.py`):

- `QA_CONNECTOR_ROOTS`: the one folder under which the tenant's drop folders must lie.  A tenant
  without a root has no drop folder.  The path is resolved: `..` and symlinks are refused, and a
  folder that holds or lies inside the instance directory or the spool is never allowed.
- `QA_CONNECTOR_ALLOW`: networks and host names the tenant's HTTP and IMAP connectors may reach.
  With no entry a tenant reaches only globally routable addresses; loopback, private, link-local
  and reserved addresses need an entry.  Every address a host name resolves to is checked, and
  HTTP redirects and `next` links are checked again on each request.

Refusals say what was refused and never what answered there: the check runs before any
connection, so "not allowed" is the same answer for an open port and a closed one.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qa_service.config import Settings
from qa_service.connectors.base import ConnectorConfigError, config_error

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Connecting is fast or it is not going to happen; a long connect timeout is a scanner's friend.
CONNECT_TIMEOUT_SECONDS = 5.0


def _not_allowed(what: str) -> ConnectorConfigError:
    return ConnectorConfigError(
        f"адрес {what!r} не разрешён этому клиенту оператором платформы (QA_CONNECTOR_ALLOW)",
        f"address {what!r} is not allowed for this tenant by the platform operator (QA_CONNECTOR_ALLOW)",
    )


@dataclass(frozen=True)
class Sandbox:
    """One tenant's allowance; built by `sandbox_for` from the settings."""

    tenant: str
    root: Path | None = None  # drop folders only under this folder; None: no drop folders
    networks: tuple[IpNetwork, ...] = ()
    hosts: frozenset[str] = field(default_factory=frozenset)  # host names allowed whatever they resolve to
    forbidden: tuple[Path, ...] = ()  # the instance directory and the spool, resolved

    # --- files ---------------------------------------------------------------------------

    def folder(self, raw: str) -> Path:
        """The real path of a drop folder the tenant may read, or a refusal naming the setting."""
        if self.root is None:
            raise config_error("path", "оператор платформы не выделил этому клиенту папку (QA_CONNECTOR_ROOTS)",
                               "the platform operator gave this tenant no folder (QA_CONNECTOR_ROOTS)")
        given = Path(os.path.expanduser(raw))
        if ".." in given.parts:
            raise config_error("path", "«..» в пути не допускается", "'..' is not allowed in the path")
        root = Path(os.path.realpath(self.root))
        relative = _relative(given, self.root, root)
        if relative is None:
            raise config_error("path", "папка вне разрешённой клиенту (QA_CONNECTOR_ROOTS)",
                               "the folder is outside the one allowed for this tenant (QA_CONNECTOR_ROOTS)")
        expected = root / relative
        real = Path(os.path.realpath(expected))
        if real != expected:  # a symlink somewhere below the root could lead anywhere
            raise config_error("path", "символические ссылки в пути не допускаются",
                               "symbolic links in the path are not allowed")
        for place in self.forbidden:
            if real.is_relative_to(place) or place.is_relative_to(real):
                raise config_error("path", "папка служебных данных сервиса недоступна коннекторам",
                                   "the service's own data folder is not available to connectors")
        if not real.is_dir():
            raise config_error("path", f"папка {raw} не найдена", f"folder {raw} does not exist")
        return real

    def file_inside(self, folder: Path, path: Path) -> bool:
        """Whether a file found in the folder really is there (not a symlink out of it)."""
        return not path.is_symlink() and Path(os.path.realpath(path)).is_relative_to(folder)

    # --- network -------------------------------------------------------------------------

    def check_host(self, host: str, port: int) -> None:
        """Refuse a host unless every address it resolves to is allowed; resolving is the only I/O."""
        name = host.strip("[]").lower().rstrip(".")
        if not name:
            raise _not_allowed(host)
        if name in self.hosts:
            return
        try:
            infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            # Same words as a refusal: "does not resolve" would tell names inside the network apart.
            raise _not_allowed(host) from None
        addresses = {ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos}
        if not addresses or not all(self.address_allowed(address) for address in addresses):
            raise _not_allowed(host)

    def address_allowed(self, address: IpAddress) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
        if any(address in network for network in self.networks):
            return True
        return address.is_global and not address.is_multicast


def _relative(given: Path, root: Path, real_root: Path) -> Path | None:
    """`given` relative to the root (as written or resolved); a relative `given` is taken inside it."""
    if not given.is_absolute():
        return given
    for base in (root, real_root):
        if given.is_relative_to(base):
            return given.relative_to(base)
    return None


def _entries_for(pairs: Iterable[tuple[str, str]], tenant: str) -> list[str]:
    pairs = list(pairs)
    own = [value for slug, value in pairs if slug == tenant]
    return own or [value for slug, value in pairs if slug == "*"]


def sandbox_for(settings: Settings, tenant_slug: str) -> Sandbox:
    """The tenant's allowance from the settings: its own entries, else the `*` entries."""
    roots = _entries_for(((slug, str(path)) for slug, path in settings.connector_roots), tenant_slug)
    networks: list[IpNetwork] = []
    hosts: set[str] = set()
    for entry in _entries_for(settings.connector_allow, tenant_slug):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.add(entry.lower().rstrip("."))
    own_data = [settings.instance_dir, settings.spool]
    if settings.blob_url.startswith("file://"):
        own_data.append(Path(settings.blob_url[len("file://"):]))
    forbidden = tuple(Path(os.path.realpath(p)) for p in own_data)
    return Sandbox(tenant=tenant_slug, root=Path(roots[0]) if roots else None, networks=tuple(networks),
                   hosts=frozenset(hosts), forbidden=forbidden)
