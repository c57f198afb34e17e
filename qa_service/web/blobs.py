"""Serve a stored blob as an HTTP response: streamed, with range requests and validators.

The web layer only ever gets a stream from the `BlobStore` (never a local path), so the
same code serves a local directory today and an object store later.
"""

from __future__ import annotations

import mimetypes

from flask import Response, request
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.wsgi import wrap_file

from qa_service.db.blobs import OpenBlob


def blob_response(blob: OpenBlob, mimetype: str | None = None) -> Response:
    """A 200/206/304 response streaming `blob`; the response closes the stream when it is done."""
    kind = mimetype or mimetypes.guess_type(blob.key)[0] or "application/octet-stream"
    response = Response(wrap_file(request.environ, blob.stream), mimetype=kind, direct_passthrough=True)
    response.content_length = blob.size
    response.last_modified = blob.modified
    response.set_etag(blob.etag)
    # Recordings and reports hold personal data: never in a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    # Range requests let the audio player seek without downloading the whole call.
    try:
        response.make_conditional(request.environ, accept_ranges=True, complete_length=blob.size)
    except RequestedRangeNotSatisfiable:
        blob.close()
        raise
    return response
