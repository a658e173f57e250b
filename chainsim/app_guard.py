"""Serve the browser app to this machine only: refuse foreign Host headers and cross-site websockets.

``chainsim app`` binds Solara's server to a loopback address, yet a web page
from elsewhere can still reach it through the student's own browser: by DNS
rebinding (a name of the attacker's that resolves to 127.0.0.1, so that the
request carries the attacker's name in its ``Host`` header) or by opening a
websocket to it (browsers let any page do that and mark it only by its
``Origin``). Solara's server checks neither, so this module wraps its ASGI
application in :class:`LocalOnly`, which

- answers 400 to a request whose ``Host`` is not a loopback name
  (``localhost``, ``127.0.0.1``, ``[::1]``) or the address the server is
  bound to, with the bound port or without a port;
- answers 403 to a request that carries an ``Origin`` other than the app's
  own (one of those names, ``http`` or ``https``, on the bound port);
- refuses a websocket upgrade (403) without such an ``Origin``: the app's
  own page always sends it.

``python -m chainsim.app_guard --host 127.0.0.1 --port 8765`` installs the
guard and then runs ``solara run chainsim.app`` in the same process, so that
the app is still one process that stops as a whole.
"""

from __future__ import annotations

import argparse
import os
import sys
from urllib.parse import urlsplit

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARD_HOSTS = ("", "0.0.0.0", "::")
DEFAULT_PORTS = {"http": 80, "https": 443}
APP = "chainsim.app"


def split_host(value: str) -> tuple[str, int | None] | None:
    """``(name, port)`` of a ``Host`` header value (port ``None`` when absent), or ``None`` when malformed.

    The name is lower-cased and an IPv6 address loses its brackets:
    ``"[::1]:8765"`` gives ``("::1", 8765)``.
    """
    value = value.strip().lower()
    if value.startswith("["):
        name, bracket, rest = value[1:].partition("]")
        if not bracket:
            return None
    else:
        name, _, rest = value.partition(":")
        rest = f":{rest}" if _ else ""
    if not name or (rest and not (rest.startswith(":") and rest[1:].isdigit() and len(rest) <= 6)):
        return None
    return name, int(rest[1:]) if rest else None


class LocalOnly:
    """ASGI middleware: let through only requests addressed to this machine's app (see the module text)."""

    def __init__(self, app, host: str, port: int) -> None:
        self.app, self.port = app, int(port)
        names = set(LOOPBACK_NAMES)
        if host.strip("[]").lower() not in WILDCARD_HOSTS:
            names.add(host.strip("[]").lower())
        self.names = frozenset(names)
        shown = sorted(f"[{n}]" if ":" in n else n for n in self.names)
        self.allowed = f"{', '.join(shown)} on port {self.port}"

    def host_ok(self, value: str | None) -> bool:
        """Whether a ``Host`` header names this app: an allowed name, with the bound port or none."""
        parts = split_host(value) if value else None
        return parts is not None and parts[0] in self.names and parts[1] in (None, self.port)

    def origin_ok(self, value: str | None) -> bool:
        """Whether an ``Origin`` header is the app's own: http(s), an allowed name, the bound port."""
        if not value:
            return False
        try:
            url = urlsplit(value.strip())
            port = url.port if url.port is not None else DEFAULT_PORTS.get(url.scheme)
        except ValueError:
            return False
        return (url.scheme in DEFAULT_PORTS and (url.hostname or "") in self.names and port == self.port
                and not url.path.strip("/") and not url.username)

    def refusal(self, scope) -> tuple[int, str] | None:
        """``(status, reason)`` when the request must be refused, else ``None``."""
        headers = {}
        for key, value in scope.get("headers", []):
            headers.setdefault(key.decode("latin-1").lower(), value.decode("latin-1"))
        if not self.host_ok(headers.get("host")):
            return 400, f"the Host header is not this app's address (allowed: {self.allowed})"
        origin = headers.get("origin")
        if scope["type"] == "websocket" and origin is None:
            return 403, f"a websocket needs the Origin of this app's page (allowed: {self.allowed})"
        if origin is not None and not self.origin_ok(origin):
            return 403, f"requests from other sites are refused (allowed Origin: http://NAME:PORT with {self.allowed})"
        return None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refused = self.refusal(scope)
        if refused is None:
            await self.app(scope, receive, send)
            return
        status, reason = refused
        if scope["type"] == "websocket":
            await receive()                                   # websocket.connect
            await send({"type": "websocket.close", "code": 1008, "reason": reason[:120]})   # the server answers 403
            return
        body = f"chainsim app: {reason}\n".encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def solara_arguments(host: str, port: int) -> list[str]:
    """The ``solara`` command line this module runs: the app in production mode, no browser, no version check."""
    return ["run", APP, "--host", host, "--port", str(port), "--production", "--no-open", "--no-check-version"]


def main(argv: list[str] | None = None) -> None:
    """Install :class:`LocalOnly` around Solara's server application, then run ``solara run chainsim.app``."""
    parser = argparse.ArgumentParser(prog="python -m chainsim.app_guard",
                                     description="Run the browser app, refusing requests not addressed to this "
                                                 "machine (foreign Host headers, cross-site websockets).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        parser.error(f"--port: {args.port} is not a port (allowed: 1 to 65535)")
    # Solara's server module reads the app's name when first imported, and `solara run` has uvicorn
    # load "solara.server.starlette:app" by name: the module is imported here first and its `app`
    # replaced, so the server that `solara run` starts serves the guarded application.
    os.environ["SOLARA_APP"] = APP
    import solara.server.starlette as server
    from solara.__main__ import cli

    if not isinstance(server.app, LocalOnly):
        server.app = LocalOnly(server.app, args.host, args.port)
    sys.stderr.flush()
    cli(solara_arguments(args.host, args.port))


if __name__ == "__main__":
    main()
