"""gunicorn's gthread worker, with a deadline on every read and write of a client socket.

gthread waits for a new connection's first bytes off the thread pool, but once a thread has them
it reads the rest of the request head with a blocking socket and no timeout: a client that sends
half a head and stops holds that thread for good, and twelve such clients held every thread of
three workers (`/healthz` stopped answering).  Here a socket in "blocking" mode has a timeout
instead, so a stalled client loses its thread after `SOCKET_TIMEOUT_SECONDS` and the thread serves
someone else.  A buffering proxy in front (README, "Slow and large request bodies") remains the
real answer to clients that are slow on purpose; this keeps gunicorn up without one.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

from gunicorn.workers.gthread import TConn, ThreadWorker

SOCKET_TIMEOUT_SECONDS = 5.0  # per read or write: a live client sends or takes something within 5 s


class _DeadlineSocket(socket.socket):
    """A socket whose blocking mode is a timeout: gthread switches modes, never the deadline off."""

    def setblocking(self, flag: bool) -> None:
        if flag:
            self.settimeout(SOCKET_TIMEOUT_SECONDS)
        else:
            super().setblocking(False)


class DeadlineThreadWorker(ThreadWorker):
    def accept(self, listener: Any) -> None:
        """gthread's accept, with the client socket made a `_DeadlineSocket` before anything uses it."""
        try:
            client_sock, client_addr = listener.accept()
            self.nr_conns += 1
            sock = _DeadlineSocket(client_sock.family, client_sock.type, client_sock.proto,
                                   fileno=client_sock.detach())
            sock.setblocking(True)
            self.enqueue_req(TConn(self.cfg, sock, client_addr, listener.getsockname()))
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
