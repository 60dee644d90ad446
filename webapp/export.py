"""`flask export DIR`: the public site as plain files any web server or CDN can serve.

Every page of the sitemap in both languages, the offline pages, a 404 page, the static files,
the manifest, the service worker, robots.txt and the sitemap. A page at `/nb/tilstander/isjias`
is written as `nb/tilstander/isjias.html` and `/nb/` as `nb/index.html`: serve with
`try_files $uri $uri.html $uri/index.html` (nginx) or any host's «pretty URLs». What needs the
app — the checker's steps, search and feedback — posts to `--app-origin`, where the app runs
(which must list this copy's address in WEBAPP_SITE_ORIGINS to accept its feedback); without
it those forms post to the same host, which then must pass them on to the app.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from flask import Flask, current_app, url_for
from flask.cli import with_appcontext

from . import sitemap
from .core.settings import ROOT
from .i18n import enabled_languages
from .security import CSP, security_headers


def file_for(path: str) -> str:
    """The file that holds a URL path: «/a/b» → «a/b.html», «/a/» → «a/index.html»."""
    relative = path.lstrip("/")
    if not relative or relative.endswith("/"):
        return relative + "index.html"
    return relative + ".html"


def export_site(app: Flask, target: Path, base_url: str, app_origin: str) -> list[str]:
    """Write the site into `target`; return the URL paths of the pages written."""
    app.config.update(STATIC_EXPORT=True, APP_ORIGIN=app_origin.rstrip("/"))
    app.extensions["view_counts"].enabled = False  # exporting is not reading
    client = app.test_client()
    base = base_url.rstrip("/") or "http://localhost"
    with app.test_request_context(base_url=base):
        pages = [path for page in sitemap.public_pages(app) for path in page.values()]
        pages += [f"/{lang}/offline" for lang in enabled_languages()]
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)

    def fetch(path: str, expect: int = 200) -> bytes:
        response = client.get(path, base_url=base)
        if response.status_code != expect:
            raise click.ClickException(f"{path}: {response.status_code}, expected {expect}")
        return response.get_data()

    def write(name: str, body: bytes) -> None:
        out = target / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(body)

    for path in dict.fromkeys(pages):
        write(file_for(path), fetch(path))
    write("404.html", fetch("/nb/finnes-ikke", expect=404))
    for path in ("/sw.js", "/manifest.webmanifest", "/robots.txt", "/sitemap.xml"):
        write(path.lstrip("/"), fetch(path))
    shutil.copytree(ROOT / "static", target / "static", dirs_exist_ok=True)
    for asset in app.extensions["assets"].values():
        write(f"static/{asset.fingerprinted}", asset.body)
    shutil.copy(ROOT / "static" / "favicon.ico", target / "favicon.ico")
    write("_headers", headers_file(app, app_origin).encode())
    return pages


def headers_file(app: Flask, app_origin: str) -> str:
    """The same security headers for the static host (Netlify/Cloudflare `_headers` format)."""
    csp = CSP
    if app_origin:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(app_origin))
        csp = csp.replace("form-action 'self'", f"form-action 'self' {origin}")
    headers = security_headers(app) | {"Content-Security-Policy": csp}
    if app_origin:
        # Posts to the app must carry this site's Origin, which «same-origin» would blank out.
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    lines = ["/*"] + [f"  {name}: {value}" for name, value in headers.items()]
    lines += ["/static/*", "  Cache-Control: public, max-age=31536000, immutable", ""]
    return "\n".join(lines)


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--base-url", default="", help="Public address of the copy (sitemap, hreflang).")
@click.option("--app-origin", default="", help="Where the app runs, for the forms that need it.")
@with_appcontext
def export_command(directory: Path, base_url: str, app_origin: str) -> None:
    """Write the public pages, static files, manifest, service worker and sitemap to DIRECTORY."""
    pages = export_site(current_app, directory, base_url, app_origin)
    click.echo(f"Exported {len(pages)} pages and the static files to {directory}")


def app_url(endpoint: str, **values: Any) -> str:
    """A URL only the running app serves (forms that post, search): in a static export it
    points at APP_ORIGIN, where the app runs."""
    return current_app.config["APP_ORIGIN"] + url_for(endpoint, **values)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["app_url"] = app_url
    app.cli.add_command(export_command)
