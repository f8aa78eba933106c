"""Starting the servers a benchmark measures: gunicorn, nginx, Redis and Varnish."""

import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from common import BIN, ROOT, free_port

# Response headers a static copy does not repeat: those about the connection and
# the framing, those a static server makes for its own file (date, server, validators,
# ranges; the content type is set apart), and those a cache adds about itself.
_NOT_COPIED = {
    "connection", "keep-alive", "transfer-encoding", "content-length",
    "date", "server", "etag", "last-modified", "accept-ranges", "content-type",
    "age", "via", "x-varnish", "x-cache",
}  # fmt: skip


def static_copy_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers of a page's real response that a static copy of the same page
    must send too (Cache-Control, the security headers Herald sets, …), so that nginx
    serving the copy answers like for like."""
    return [(k, v) for k, v in headers if k.lower() not in _NOT_COPIED]


@dataclass
class StaticPage:
    """A saved page nginx serves: its file's URI (e.g. /index.html), its Content-Type
    and the other headers its real response carries."""

    uri: str
    content_type: str
    headers: list[tuple[str, str]]


def _nginx_quote(value: str) -> str:
    # nginx would expand a `$` as a variable; a double quote would end the string.
    if any(c in value for c in '$"\\\r\n'):
        raise SystemExit(f"cannot give nginx this header value as it is: {value!r}")
    return f'"{value}"'


# The types nginx's `charset` applies to unless told otherwise.
_NGINX_CHARSET_TYPES = {
    "text/html", "text/xml", "text/plain", "text/vnd.wap.wml",
    "application/javascript", "application/rss+xml",
}  # fmt: skip


def _nginx_locations(pages: list[StaticPage]) -> str:
    blocks = []
    for page in pages:
        lines = [f"    location = {page.uri} {{"]
        # nginx sends a type's charset from its own directive (`charset`).
        params = [part.strip() for part in page.content_type.split(";")]
        charsets = [x for x in params[1:] if x.lower().startswith("charset=")]
        others = [x for x in params if x not in charsets]
        lines.append(f"      default_type {_nginx_quote('; '.join(others))};")
        lines += [
            f"      charset {_nginx_quote(x.split('=', 1)[1])};" for x in charsets
        ]
        if charsets and params[0] not in _NGINX_CHARSET_TYPES:
            lines.append(f"      charset_types {_nginx_quote(params[0])};")
        lines += [
            f"      add_header {name} {_nginx_quote(value)};"
            for name, value in page.headers
        ]
        lines.append("    }")
        blocks.append("\n".join(lines) + "\n")
    return "".join(blocks)


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, log: Path
) -> subprocess.Popen[bytes]:
    cmd = [
        str(BIN / "gunicorn"),
        "herald.wsgi:application",
        "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}",
        "--error-logfile", "-",
        "--log-level", "warning",
        "--timeout", "30",
    ]  # fmt: skip
    with log.open("ab") as out:  # gunicorn's and Django's logs, tracebacks included
        return subprocess.Popen(
            cmd,
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_nginx(
    tmp: Path, site: Path, port: int, pages: list[StaticPage] | None = None
) -> subprocess.Popen[bytes]:
    """nginx serving the files under `site` with sendfile; each of `pages` with its
    own Content-Type and headers, as the real page sends them (the other files as
    text/html and without them)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("nginx is missing: apt-get install -y nginx-light")
    prefix = tmp / "nginx"
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    # As root nginx's workers would drop to nobody, who cannot read a mkdtemp dir.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""{user}worker_processes 2;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  default_type text/html;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {site};
    index index.html;
{_nginx_locations(pages or [])}  }}
}}
"""
    )
    cmd = [nginx, "-e", str(prefix / "error.log"), "-p", str(prefix), "-c", str(conf)]
    return subprocess.Popen(cmd, cwd=prefix, start_new_session=True)


def start_redis(tmp: Path, port: int) -> subprocess.Popen[bytes]:
    redis = shutil.which("redis-server")
    if redis is None:
        raise SystemExit("redis-server is missing: apt-get install -y redis-server")
    cmd = [
        redis, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
        "--appendonly", "no", "--dir", str(tmp),
    ]  # fmt: skip
    with (tmp / "redis.log").open("ab") as out:
        return subprocess.Popen(
            cmd, cwd=tmp, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


VARNISHD_PARAMS = ROOT / "deploy" / "varnish" / "varnishd.params"


def varnishd_params() -> list[str]:
    """The storage and `-p` options Herald ships (deploy/varnish/varnishd.params,
    the systemd unit's VARNISHD_PARAMS), as varnishd arguments."""
    for line in VARNISHD_PARAMS.read_text().splitlines():
        name, _, value = line.partition("=")
        if name.strip() == "VARNISHD_PARAMS":
            return shlex.split(value)
    raise SystemExit(f"{VARNISHD_PARAMS} sets no VARNISHD_PARAMS")


def start_varnish(
    tmp: Path, port: int, backend_ports: list[int]
) -> subprocess.Popen[bytes]:
    """varnishd as shipped (deploy/varnish/herald.vcl and varnishd.params) with a
    backends.vcl for the given gunicorn ports, in the foreground, with its own
    working directory."""
    varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
    if not Path(varnishd).exists():
        raise SystemExit(
            "varnishd is missing: apt-get install -y varnish varnish-modules"
        )
    folder = tmp / "varnish"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "deploy" / "varnish" / "herald.vcl", folder / "herald.vcl")
    backends = "\n".join(
        f'backend web{n} {{ .host = "127.0.0.1"; .port = "{p}"; .probe = health; }}'
        for n, p in enumerate(backend_ports)
    )
    adds = "\n".join(f"    web.add_backend(web{n});" for n in range(len(backend_ports)))
    (folder / "backends.vcl").write_text(
        'probe health { .request = "GET /healthz HTTP/1.1" "Host: localhost" '
        '"Connection: close"; .interval = 2s; .timeout = 3s; .window = 5; '
        ".threshold = 3; }\n"
        f"{backends}\n"
        'acl purgers { "127.0.0.1"; }\n'
        "sub herald_backends {\n    new web = directors.round_robin();\n"
        f"{adds}\n}}\n"
    )
    cmd = [
        varnishd, "-F", "-a", f"127.0.0.1:{port}", "-T", f"127.0.0.1:{free_port()}",
        "-f", str(folder / "herald.vcl"), "-n", str(folder / "work"),
        *varnishd_params(),
    ]  # fmt: skip
    if os.geteuid() == 0:
        cmd[1:1] = ["-j", "none"]  # as root: no separate varnish user for the jail
    with (tmp / "varnish.log").open("ab") as out:
        return subprocess.Popen(
            cmd,
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
