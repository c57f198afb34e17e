"""The connector of one kind, built from its stored settings.

Its own module, so that the concrete connectors can import `connectors.base` for the shared
types while the base imports none of them (an import contract keeps it so).  A new platform
kind is one module and one entry in `KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qa_service.connectors.base import Connector, ConnectorConfigError
from qa_service.connectors.dropfolder import DropFolderConnector
from qa_service.connectors.http_api import HttpApiConnector
from qa_service.connectors.imap import ImapConnector

ConnectorClass = Callable[[str, dict[str, Any], dict[str, Any]], Connector]

KINDS: dict[str, ConnectorClass] = {
    "dropfolder": DropFolderConnector,
    "http": HttpApiConnector,
    "imap": ImapConnector,
}


def build_connector(kind: str, name: str, config: dict[str, Any], secrets: dict[str, Any]) -> Connector:
    """The connector of one kind ("dropfolder", "http", "imap") built from its stored settings."""
    connector_class = KINDS.get(kind)
    if connector_class is None:
        raise ConnectorConfigError(
            f"неизвестный тип коннектора {kind!r} (dropfolder, http, imap)",
            f"unknown connector kind {kind!r} (dropfolder, http, imap)",
        )
    return connector_class(name, config, secrets)
