"""The production set-up on this machine: gunicorn behind Debian's nginx, both in one folder.

    .venv/bin/python deploy/local.py [--port 8080] [--workers 2] [--folder DIR] [--instance DIR]

(`scripts/serve-prod.sh` installs nginx when it is missing and runs this.) It writes nginx's
folder and configuration with `python -m webapp.deploy`, as on a server, wraps the
configuration in a minimal nginx.conf (what Debian's /etc/nginx/nginx.conf does around
conf.d/), starts gunicorn with deploy/gunicorn.conf.py and nginx in the foreground, and stops
both on Ctrl-C or TERM. tests/test_production.py starts it the same way, through `start()`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
MIME_TYPES = Path("/etc/nginx/mime.types")

MAIN_CONFIG = """\
# Local only (deploy/local.py): what Debian's nginx.conf does around conf.d/webapp.conf.
daemon off;
{user}worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/logs/nginx-error.log warn;

events {{
    worker_connections 512;
}}

http {{
    include {mime_types};
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    gzip on;
    client_body_temp_path {folder}/tmp/body;
    proxy_temp_path {folder}/tmp/proxy;
    fastcgi_temp_path {folder}/tmp/fastcgi;
    uwsgi_temp_path {folder}/tmp/uwsgi;
    scgi_temp_path {folder}/tmp/scgi;

    include {folder}/webapp.conf;
}}
"""


class StartError(RuntimeError):
    """The set-up could not start; the message says why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def find_nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).is_file()), None
    )
    if not found or not MIME_TYPES.is_file():
        raise StartError("Debian's nginx is not installed: apt-get install -y nginx-light")
    return found


@dataclass
class Stack:
    """nginx on `port` in front of gunicorn on `app_port` (absent with app=False)."""

    folder: Path
    port: int
    app_port: int
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def app_url(self) -> str:
        """gunicorn itself, without nginx."""
        return f"http://{HOST}:{self.app_port}"

    @property
    def logs(self) -> Path:
        return self.folder / "logs"

    def run(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(  # noqa: S603 - our own commands
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,  # a file, not a pipe: a full pipe would stall the server
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us only; we stop each one ourselves
        )
        log.close()

    def wait_ready(self, name: str, url: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            process = self.processes[name]
            if process.poll() is not None:
                raise StartError(f"{name} exited with {process.returncode}:\n{self.log_tail(name)}")
            try:
                with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own http URL
                    return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                if time.monotonic() > deadline:
                    raise StartError(
                        f"{name} did not answer {url}:\n{self.log_tail(name)}"
                    ) from None
                time.sleep(0.1)

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.logs / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, name: str | None = None) -> None:
        """Stop one process, or all (nginx first: it stops taking requests)."""
        for key in [name] if name else sorted(self.processes, key=lambda k: k != "nginx"):
            process = self.processes.pop(key, None)
            if process is None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def checked_nginx(folder: Path) -> list[str]:
    """Write folder/nginx.conf around folder/webapp.conf, have nginx check both, and return the
    command that runs nginx on them."""
    # As root, nginx's workers would run as "nobody", who may not open a private temporary
    # folder; locally they may stay root (on a server they run as www-data).
    user = "user root;\n" if os.geteuid() == 0 else ""
    for sub in ("logs", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    main_config = folder / "nginx.conf"
    main_config.write_text(MAIN_CONFIG.format(user=user, folder=folder, mime_types=MIME_TYPES))
    command = [find_nginx(), "-p", str(folder), "-c", str(main_config)]
    command += ["-e", str(folder / "logs" / "nginx-error.log")]
    check = subprocess.run(  # noqa: S603 - our own command
        [*command, "-t"], capture_output=True, text=True, check=False
    )
    if check.returncode != 0:
        raise StartError(f"nginx rejects {folder / 'webapp.conf'}:\n{check.stderr}")
    return command


def start(
    folder: Path,
    port: int = 0,
    *,
    workers: int = 2,
    instance: Path | None = None,
    app: bool = True,
) -> Stack:
    """Write the folder, start gunicorn (unless app=False: nginx then has no app behind it) and
    nginx, and return once both answer. The caller stops them (`stack.stop()`)."""
    find_nginx()  # before anything is written
    stack = Stack(folder.resolve(), port or free_port(), free_port())
    (stack.folder / "logs").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "WEBAPP_INSTANCE": str(instance or stack.folder / "instance"),
        "WEBAPP_PROXY_COUNT": "1",
        "WEBAPP_BASE_URL": os.environ.get("WEBAPP_BASE_URL") or stack.url,
        "WEBAPP_TRUSTED_HOSTS": os.environ.get("WEBAPP_TRUSTED_HOSTS") or f"{HOST} localhost",
    }
    public, config = stack.folder / "public", stack.folder / "webapp.conf"
    prepare = [sys.executable, "-m", "webapp.deploy"]
    prepare += ["static", str(public)]
    prepare += ["nginx-config", "--root", str(public), "--listen", f"{HOST}:{stack.port}"]
    prepare += ["--upstream", f"{HOST}:{stack.app_port}", "-o", str(config)]
    prepare += ["--access-log", str(stack.logs / "nginx-access.log")]
    done = subprocess.run(  # noqa: S603 - our own command
        prepare, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise StartError(f"python -m webapp.deploy failed:\n{done.stderr}")

    nginx_command = checked_nginx(stack.folder)
    try:
        if app:
            gunicorn = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
            gunicorn += ["--bind", f"{HOST}:{stack.app_port}", "--workers", str(workers)]
            stack.run("gunicorn", [*gunicorn, "webapp:create_app()"], env)
        stack.run("nginx", nginx_command)
        if app:
            stack.wait_ready("gunicorn", stack.app_url + "/healthz")
        stack.wait_ready("nginx", stack.url + "/healthz")  # any answer will do
    except BaseException:
        stack.stop()
        raise
    return stack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's sync workers")
    parser.add_argument("--folder", type=Path, help="keep everything here (default: temporary)")
    parser.add_argument(
        "--instance",
        type=Path,
        default=os.environ.get("WEBAPP_INSTANCE") or None,
        help="the app's instance folder (default: $WEBAPP_INSTANCE, else one in the folder)",
    )
    args = parser.parse_args()

    def stop_on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_term)
    with contextlib.ExitStack() as cleanup:
        folder = args.folder or Path(cleanup.enter_context(tempfile.TemporaryDirectory()))
        try:
            stack = cleanup.enter_context(
                start(folder, args.port, workers=args.workers, instance=args.instance)
            )
        except StartError as exc:
            sys.exit(str(exc))
        print(f"Serving on {stack.url}/ (nginx in front of gunicorn); Ctrl-C stops both.")
        print(f"Logs: {stack.logs}/ (nginx-access.log, nginx-error.log, gunicorn.log)", flush=True)
        try:
            while all(p.poll() is None for p in stack.processes.values()):
                time.sleep(0.5)
            gone = [name for name, p in stack.processes.items() if p.poll() is not None]
            print(f"{', '.join(gone)} stopped:\n{stack.log_tail(gone[0])}", file=sys.stderr)
            sys.exit(1)
        except KeyboardInterrupt:
            print("Stopping nginx and gunicorn …", flush=True)


if __name__ == "__main__":
    main()
