"""Static files: fingerprinted names, a year-long immutable cache, gzip done once at start-up.

`asset("css/app.css")` in a template gives `/static/css/app.3f2a1b9c0d.css`. The unfingerprinted
name still answers (with `no-cache`), for files such as licences that are linked by name.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, request

from .caching import COMPRESSIBLE, accepts_gzip
from .core.settings import ROOT

STATIC_DIR = ROOT / "static"
YEAR = 365 * 24 * 3600

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("image/svg+xml", ".svg")


@dataclass(frozen=True)
class Asset:
    name: str  # path under static/, e.g. "css/app.css"
    fingerprinted: str  # e.g. "css/app.3f2a1b9c0d.css"
    mimetype: str
    body: bytes
    gzipped: bytes | None
    etag: str


def fingerprint(name: str, digest: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def load_assets(folder: Path = STATIC_DIR) -> dict[str, Asset]:
    """Read every static file once; key both by plain and fingerprinted name."""
    table: dict[str, Asset] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        body = path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:10]
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        gzipped = None
        if mimetype in COMPRESSIBLE and len(body) > 512:
            gzipped = gzip.compress(body, compresslevel=9, mtime=0)
        asset = Asset(name, fingerprint(name, digest), mimetype, body, gzipped, digest)
        table[name] = asset
        table[asset.fingerprinted] = asset
    return table


bp = Blueprint("assets", __name__)


@bp.route("/static/<path:filename>")
def static_file(filename: str) -> Response:
    assets: dict[str, Asset] = current_app.extensions["assets"]
    asset = assets.get(filename)
    if asset is None:
        abort(404)
    immutable = filename == asset.fingerprinted
    gzipped = asset.gzipped if asset.gzipped is not None and accepts_gzip() else None
    tag = asset.etag + ("-gz" if gzipped is not None else "")
    response = Response(mimetype=asset.mimetype)
    response.set_etag(tag)
    response.vary.add("Accept-Encoding")
    if immutable:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    if request.if_none_match.contains(tag):
        response.status_code = 304
        return response
    if gzipped is not None:
        response.set_data(gzipped)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(asset.body)
    return response


def asset_url(name: str) -> str:
    """The fingerprinted URL of a static file; fails loudly for a file that does not exist."""
    return "/static/" + current_app.extensions["assets"][name].fingerprinted


def init_app(app: Flask) -> None:
    app.extensions["assets"] = load_assets()
    app.jinja_env.globals["asset"] = asset_url
    app.register_blueprint(bp)
