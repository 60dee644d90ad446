"""The files of the production set-up that come from the app: nginx's configuration, and the
folder nginx serves itself (the fingerprinted static files with a gzip copy beside each
compressible one, and the app's error page for each error nginx answers itself).

    python -m webapp.deploy static /var/www/webapp
    python -m webapp.deploy nginx-config --server-name www.example.no \\
        --tls-cert /etc/letsencrypt/live/www.example.no/fullchain.pem \\
        --tls-key /etc/letsencrypt/live/www.example.no/privkey.pem -o /etc/nginx/conf.d/webapp.conf

Both read the app's settings (WEBAPP_* variables, the instance folder), so that nginx adds the
same security headers as the app (`security.security_headers`) and takes the same largest body.
See deploy/README.md.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import click
import jinja2
from flask import Flask, current_app
from flask.cli import with_appcontext
from werkzeug.exceptions import default_exceptions

from .assets import Asset
from .core.settings import ROOT
from .security import security_headers
from .sitemap import startup_url

TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
# The errors nginx answers itself: a malformed or too large request, and the app down or slow.
ERROR_CODES = (400, 413, 414, 500, 502, 504)


def nginx_string(value: str) -> str:
    """A value as one double-quoted nginx string."""
    if "$" in value or "\n" in value:  # nginx would read a variable; there is no escape for it
        raise ValueError(f"cannot put {value!r} into nginx's configuration")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def header_lines(app: Flask, indent: str = " " * 8) -> str:
    """`add_header … always;` for every security header the app sends, to be added by nginx to
    what it answers itself (`always`: error answers too)."""
    return "\n".join(
        f"{indent}add_header {name} {nginx_string(value)} always;"
        for name, value in security_headers(app).items()
    )


def server_names(app: Flask) -> list[str]:
    """The hosts the app answers to (TRUSTED_HOSTS, which start-up derives from BASE_URL when
    only that is set); empty when it answers to any."""
    return list(app.config["TRUSTED_HOSTS"] or ())


def nginx_config(
    app: Flask,
    *,
    root: str | Path = "/var/www/webapp",
    upstream: str = "127.0.0.1:8000",
    listen: Sequence[str] = (),
    names: Sequence[str] = (),
    access_log: str | Path = "/var/log/nginx/webapp.access.log",
    tls_cert: str | Path | None = None,
    tls_key: str | Path | None = None,
    acme_root: str | Path = "/var/www/acme",
) -> str:
    """The site's configuration for nginx's `http { }` block (deploy/nginx.conf.template).

    With a certificate it serves HTTPS on 443 and only redirects on 80; without, plain HTTP on
    80 (or on `listen`), as behind another TLS terminator, or locally."""
    if bool(tls_cert) != bool(tls_key):
        raise ValueError("a certificate and its key go together (--tls-cert, --tls-key)")
    tls = bool(tls_cert)
    names = list(names) or server_names(app)
    base = urlsplit(app.config.get("BASE_URL") or "").netloc
    max_body = app.config.get("MAX_CONTENT_LENGTH") or 1024 * 1024
    environment = jinja2.Environment(  # noqa: S701 - nginx's configuration, not HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    template = environment.from_string(TEMPLATE.read_text(encoding="utf-8"))
    return template.render(
        tls=tls,
        listen=list(listen) or (["443", "[::]:443"] if tls else ["80", "[::]:80"]),
        http_listen=["80", "[::]:80"],
        server_names=" ".join(names) or '""',
        canonical_host=base or (names[0] if names else "$host"),
        upstream=upstream,
        root=root,
        access_log=access_log,
        tls_cert=tls_cert,
        tls_key=tls_key,
        acme_root=acme_root,
        max_body=max_body,
        error_codes=ERROR_CODES,
        security_headers=header_lines(app),
    )


def _write(path: Path, body: bytes) -> None:
    """Replace the file at once (nginx never reads half a file), readable by nginx's user."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(body)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def write_static(assets: Iterable[Asset], root: Path) -> int:
    """Every asset under its fingerprinted name in root/static, with `.gz` where it compresses.

    A fingerprinted name stands for one content, so a file already there stays as it is (its
    date and nginx's ETag with it), and the files of earlier versions stay too: a page cached
    from before an update still finds its stylesheet. Returns the number of files written."""
    written = 0
    for asset in {a.fingerprinted: a for a in assets}.values():
        path = root / "static" / asset.fingerprinted
        copies = [(path, asset.body)]
        if asset.gzipped is not None:
            copies.append((path.with_name(path.name + ".gz"), asset.gzipped))
        for target, body in copies:
            if not target.exists() or target.read_bytes() != body:
                _write(target, body)
                written += 1
    return written


def write_error_pages(app: Flask, root: Path) -> list[Path]:
    """The app's own error page, in each language, for each error nginx answers itself, as
    root/_errors/<lang>/<code>.html."""
    paths = []
    base_url = startup_url(app)  # a host the app answers to, for the page's absolute links
    for lang in app.config["LANGUAGES"]:
        for code in ERROR_CODES:
            with app.test_request_context(f"/{lang}/", base_url=base_url):
                response = app.make_response(app.handle_http_exception(default_exceptions[code]()))
            path = root / "_errors" / lang / f"{code}.html"
            _write(path, response.get_data())
            paths.append(path)
    return paths


def _make_readable(root: Path) -> None:
    """nginx's workers run as another user: they must be able to open every folder below root."""
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        folder.chmod(folder.stat().st_mode | 0o755)


@click.group("deploy", chain=True)
def deploy_group() -> None:
    """The production set-up: nginx's configuration and the folder it serves (deploy/)."""


@deploy_group.command("static")
@click.argument("root", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def static_command(root: Path) -> None:
    """Write the static files and nginx's error pages into ROOT (nginx's `root`)."""
    written = write_static(current_app.extensions["assets"].values(), root)
    pages = write_error_pages(current_app, root)
    _make_readable(root)
    click.echo(f"{root}: {written} static files written, {len(pages)} error pages", err=True)


@deploy_group.command("nginx-config")
@click.option("--root", default="/var/www/webapp", show_default=True, help="What `static` wrote.")
@click.option("--upstream", default="127.0.0.1:8000", show_default=True, help="gunicorn's bind.")
@click.option("--listen", multiple=True, help="nginx's listen (repeat); default 80, or 443.")
@click.option(
    "--server-name",
    "names",
    multiple=True,
    help="Host name (repeat); default WEBAPP_TRUSTED_HOSTS, else WEBAPP_BASE_URL's host.",
)
@click.option("--access-log", default="/var/log/nginx/webapp.access.log", show_default=True)
@click.option("--tls-cert", help="Certificate chain (PEM): serve HTTPS, redirect HTTP.")
@click.option("--tls-key", help="Its private key (PEM).")
@click.option("--acme-root", default="/var/www/acme", show_default=True, help="ACME webroot.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Not stdout.")
@with_appcontext
def nginx_config_command(
    output: Path | None,
    root: str,
    upstream: str,
    listen: tuple[str, ...],
    names: tuple[str, ...],
    access_log: str,
    tls_cert: str | None,
    tls_key: str | None,
    acme_root: str,
) -> None:
    """Render deploy/nginx.conf.template for this app and these paths."""
    try:
        text = nginx_config(
            current_app,
            root=root,
            upstream=upstream,
            listen=listen,
            names=names,
            access_log=access_log,
            tls_cert=tls_cert,
            tls_key=tls_key,
            acme_root=acme_root,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, text.encode())


def init_app(app: Flask) -> None:
    """`flask deploy …` as well as `python -m webapp.deploy …`."""
    app.cli.add_command(deploy_group)


def main() -> None:
    from . import create_app

    app = create_app()
    with app.app_context():
        deploy_group.main(prog_name="python -m webapp.deploy")


if __name__ == "__main__":
    main()
