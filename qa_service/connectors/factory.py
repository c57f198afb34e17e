"""The connector of one kind, built from its stored settings.

Its own module, so that the concrete connectors can import `connectors.base` for the shared
types while the base imports none of them (an import contract keeps it so).  A new platform
kind is one module and one entry in `KINDS`.
"""

from __future__ import annotations

from typing import Any, Protocol

from qa_service.connectors.base import Connector, ConnectorConfigError
from qa_service.connectors.dropfolder import DropFolderConnector
from qa_service.connectors.http_api import HttpApiConnector
from qa_service.connectors.imap import ImapConnector
from qa_service.connectors.sandbox import Sandbox


class ConnectorClass(Protocol):
    def __call__(self, name: str, config: dict[str, Any], secrets: dict[str, Any], *,
                 sandbox: Sandbox | None = None) -> Connector: ...


KINDS: dict[str, ConnectorClass] = {
    "dropfolder": DropFolderConnector,
    "http": HttpApiConnector,
    "imap": ImapConnector,
}


def build_connector(
    kind: str, name: str, config: dict[str, Any], secrets: dict[str, Any], sandbox: Sandbox | None = None
) -> Connector:
    """The connector of one kind ("dropfolder", "http", "imap") built from its stored settings.

    The service passes the tenant's `sandbox` (connectors/sandbox.py) on save, on test and on every
    run; None (a library caller, a test of the connector itself) confines nothing.
    """
    connector_class = KINDS.get(kind)
    if connector_class is None:
        raise ConnectorConfigError(
            f"неизвестный тип коннектора {kind!r} (dropfolder, http, imap)",
            f"unknown connector kind {kind!r} (dropfolder, http, imap)",
        )
    return connector_class(name, config, secrets, sandbox=sandbox)
