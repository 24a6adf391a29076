"""File downloads, built one way for the API and the dashboard alike.

`csv_download(chunks, filename)` streams already-written CSV text (keep the request
context, so a lazy query may still use the session) as an attachment. Cells are made safe
to open in a spreadsheet by whoever writes them (`webapp.tickets.services.csv_cell`).
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, stream_with_context


def csv_download(chunks: Iterator[str], filename: str) -> Response:
    """A `text/csv` attachment named `filename`, streamed chunk by chunk."""
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
