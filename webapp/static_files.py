"""Static files for a Mini App opened on phones: small, and fetched once.

At start the app copies each file of `webapp/static/` to `STATIC_BUILD_DIR` under a
content-hashed name (`css/app.3f2a9c01b7de.css`) with gzip and brotli versions beside it,
unless that exact content is there already (content-addressed, so a restart or a second
worker writes nothing, and writes are atomic renames). `url_for('static', ...)` hands out the
hashed name; whitenoise serves it with the encoding the browser accepts and
`Cache-Control: public, max-age=31536000, immutable`, so a second launch asks for nothing.
The plain names still answer (briefly cached) for links made before a deploy.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import brotli
from flask import Flask
from whitenoise import WhiteNoise

SOURCE = Path(__file__).resolve().parent / "static"
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
ONE_YEAR = 365 * 24 * 60 * 60
PLAIN_MAX_AGE = 60
# Already compressed, or not worth it.
_COMPRESSIBLE = re.compile(r"\.(css|js|svg|json|txt|html|map|LICENSE)$", re.IGNORECASE)


class StaticFiles(WhiteNoise):
    """Whitenoise with the year-long immutable header for hashed names (its default says ten
    years) and `nosniff` on every file (these answers bypass Flask's after_request)."""

    def immutable_file_test(self, path: str, url: str) -> bool:
        return bool(HASHED.search(url))

    def add_cache_headers(self, headers: Any, path: str, url: str) -> None:
        if self.immutable_file_test(path, url):
            headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        else:
            headers["Cache-Control"] = f"public, max-age={PLAIN_MAX_AGE}"
        headers["X-Content-Type-Options"] = "nosniff"


def hashed_name(relative: str, data: bytes) -> str:
    stem, dot, ext = relative.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:12]
    return f"{stem}.{digest}.{ext}" if dot else f"{relative}.{digest}"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; a web server may run as another user
    os.replace(tmp, path)


def _gzip(data: bytes) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0) as handle:
        handle.write(data)
    return out.getvalue()


def build(source: Path, target: Path) -> dict[str, str]:
    """Copy and compress what is missing; return {plain name: hashed name}."""
    manifest: dict[str, str] = {}
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = path.relative_to(source).as_posix()
        data = path.read_bytes()
        name = hashed_name(relative, data)
        manifest[relative] = name
        destination = target / name
        if destination.exists():
            continue
        if _COMPRESSIBLE.search(relative):
            _write_atomically(Path(f"{destination}.br"), brotli.compress(data, quality=11))
            _write_atomically(Path(f"{destination}.gz"), _gzip(data))
        _write_atomically(destination, data)  # last: its presence means the set is complete
    return manifest


def init_static_files(app: Flask) -> None:
    target = Path(app.config.get("STATIC_BUILD_DIR") or Path(app.instance_path) / "static")
    manifest = build(SOURCE, target)
    prefix = (app.static_url_path or "/static").rstrip("/") + "/"

    @app.url_defaults
    def hashed_static_url(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

    compress_pages(app)
    files = StaticFiles(app.wsgi_app, root=str(target), prefix=prefix)
    # The plain names too (a page cached before a deploy), compressed on the fly by nobody:
    # they are small and rarely asked for.
    files.add_files(str(SOURCE), prefix=prefix)
    app.wsgi_app = files  # type: ignore[method-assign]


def compress_pages(app: Flask) -> None:
    """Pages and fragments go out compressed too (brotli when the browser takes it, else
    gzip): with the static files cached, they are most of what a tap transfers."""
    from flask import Response, request

    @app.after_request
    def compress(response: Response) -> Response:
        if (
            response.direct_passthrough
            or response.status_code < 200
            or response.status_code in (204, 304)
            or "Content-Encoding" in response.headers
            or response.mimetype
            not in ("text/html", "application/json", "application/problem+json")
        ):
            return response
        data = response.get_data()
        if len(data) < 512:
            return response
        accepted = request.headers.get("Accept-Encoding", "")
        if "br" in accepted:
            response.set_data(brotli.compress(data, quality=5))
            response.headers["Content-Encoding"] = "br"
        elif "gzip" in accepted:
            response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
            response.headers["Content-Encoding"] = "gzip"
        else:
            return response
        response.vary.add("Accept-Encoding")
        return response
