"""The browser app answers this machine only: foreign Host headers and cross-site websockets are refused.

The first tests call the guard (:class:`chainsim.app_guard.LocalOnly`)
without a server. The last starts ``chainsim app`` on a free port and sends
raw requests: the app's own addresses are served; a foreign ``Host`` (DNS
rebinding), a foreign ``Origin`` and a websocket upgrade from another site
are refused; the app's own page may open its websocket; and SIGTERM to the
command leaves no process behind.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from helpers import session_processes

from chainsim.app_guard import LocalOnly, solara_arguments, split_host

PORT = 8765


def answer(guard: LocalOnly, kind: str, headers: dict[str, str]) -> tuple[str, int | None]:
    """What the guard does with one request: ``("passed", None)`` or ``("refused", status)``.

    The guard's inner application is replaced by one that notes what reaches it.
    """
    sent, passed = [], []

    async def app(scope, receive, send):
        passed.append(scope)

    async def receive():
        return {"type": f"{kind}.connect" if kind == "websocket" else "http.request"}

    async def send(message):
        sent.append(message)

    guard.app = app
    scope = {"type": kind, "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(guard(scope, receive, send))
    if passed:
        return "passed", None
    if kind == "websocket":
        assert sent == [{"type": "websocket.close", "code": 1008, "reason": sent[0]["reason"]}]
        return "refused", 403
    assert sent[0]["type"] == "http.response.start" and sent[1]["body"].startswith(b"chainsim app: ")
    return "refused", sent[0]["status"]


def test_split_host_reads_names_ports_and_brackets():
    assert split_host("LocalHost:8765") == ("localhost", 8765)
    assert split_host("127.0.0.1") == ("127.0.0.1", None)
    assert split_host("[::1]:8765") == ("::1", 8765)
    assert split_host("[::1]") == ("::1", None)
    for bad in ("", ":8765", "localhost:", "localhost:80x", "::1", "[::1", "[::1]8765", "a:1:2"):
        assert split_host(bad) is None, bad


@pytest.mark.parametrize("host, expected", [
    ("127.0.0.1:8765", "passed"), ("localhost:8765", "passed"), ("[::1]:8765", "passed"),
    ("localhost", "passed"), ("127.0.0.1", "passed"), ("LOCALHOST:8765", "passed"),
    ("evil.example:8765", "refused"), ("evil.example", "refused"), ("127.0.0.1:8766", "refused"),
    ("localhost.evil.example:8765", "refused"), ("127.0.0.2:8765", "refused"), ("0.0.0.0:8765", "refused"),
    (None, "refused"),
])
def test_only_loopback_hosts_on_the_bound_port_are_served(host, expected):
    guard = LocalOnly(None, "127.0.0.1", PORT)
    headers = {} if host is None else {"Host": host}
    assert answer(guard, "http", headers) == ((expected, 400) if expected == "refused" else (expected, None))


@pytest.mark.parametrize("origin, expected", [
    ("http://127.0.0.1:8765", "passed"), ("http://localhost:8765", "passed"), ("http://[::1]:8765", "passed"),
    ("https://localhost:8765", "passed"),
    (None, "refused"), ("null", "refused"), ("http://evil.example", "refused"), ("http://evil.example:8765", "refused"),
    ("http://localhost", "refused"), ("http://localhost:8766", "refused"), ("file://", "refused"),
    ("http://localhost:99999", "refused"), ("http://user@localhost:8765", "refused"),
])
def test_a_websocket_needs_the_apps_own_origin(origin, expected):
    guard = LocalOnly(None, "127.0.0.1", PORT)
    headers = {"Host": "127.0.0.1:8765", **({} if origin is None else {"Origin": origin})}
    assert answer(guard, "websocket", headers) == ((expected, 403) if expected == "refused" else (expected, None))


def test_a_plain_request_from_another_site_is_refused_and_lifespan_passes():
    guard = LocalOnly(None, "127.0.0.1", PORT)
    assert answer(guard, "http", {"Host": "localhost:8765"}) == ("passed", None)                 # no Origin: same site
    assert answer(guard, "http", {"Host": "localhost:8765", "Origin": "http://localhost:8765"}) == ("passed", None)
    assert answer(guard, "http", {"Host": "localhost:8765", "Origin": "http://evil.example"}) == ("refused", 403)
    assert answer(guard, "lifespan", {}) == ("passed", None)


def test_a_named_bind_address_is_allowed_too_and_a_wildcard_is_not():
    named = LocalOnly(None, "192.168.1.5", PORT)
    assert answer(named, "http", {"Host": "192.168.1.5:8765"}) == ("passed", None)
    assert answer(named, "websocket", {"Host": "192.168.1.5:8765", "Origin": "http://192.168.1.5:8765"}) == \
        ("passed", None)
    wildcard = LocalOnly(None, "0.0.0.0", PORT)
    assert answer(wildcard, "http", {"Host": "0.0.0.0:8765"}) == ("refused", 400)
    assert answer(wildcard, "http", {"Host": "localhost:8765"}) == ("passed", None)
    assert "--no-check-version" in solara_arguments("127.0.0.1", PORT)


# --- the real server ----------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, host: str | None, origin: str | None = None) -> tuple[int, str]:
    """GET / on the server at 127.0.0.1:``port`` with the ``Host`` (None: none) and ``Origin`` given."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.putrequest("GET", "/", skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        if origin is not None:
            conn.putheader("Origin", origin)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def upgrade(port: int, host: str, origin: str | None) -> int:
    """Status of a websocket upgrade to Solara's kernel channel with the ``Host`` and ``Origin`` given."""
    path = f"/jupyter/api/kernels/{uuid.uuid4()}/channels?session_id={uuid.uuid4()}"
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Upgrade: websocket", "Connection: Upgrade",
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status_line = sock.makefile("rb").readline().decode("latin-1")
    return int(status_line.split()[1])




@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_chainsim_app_refuses_foreign_hosts_and_cross_site_websockets(tmp_path):
    port = free_port()
    exe = Path(sys.executable).with_name("chainsim")
    log = tmp_path / "app.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(exe), "app", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    own = f"127.0.0.1:{port}"
    try:
        deadline = time.time() + 50
        while True:
            try:
                status, page = get(port, own)
                break
            except OSError:
                assert time.time() < deadline and proc.poll() is None, log.read_text()[-3000:]
                time.sleep(0.3)
        assert status == 200 and "<html" in page.lower()
        for host in (f"localhost:{port}", f"[::1]:{port}", "localhost"):
            assert get(port, host)[0] == 200, host
        for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1:{port + 1}"):
            status, text = get(port, host)
            assert status == 400 and "Host header is not this app's address" in text, \
                f"Host {host}: answered {status} (does command_app run chainsim.app_guard?) {text[:200]}"
        assert get(port, None)[0] == 400                  # HTTP/1.1 without Host: the server itself refuses it
        assert get(port, own, origin="http://evil.example")[0] == 403
        assert get(port, own, origin=f"http://{own}")[0] == 200

        assert upgrade(port, own, "http://evil.example") == 403
        assert upgrade(port, own, None) == 403
        assert upgrade(port, f"evil.example:{port}", f"http://evil.example:{port}") == 403
        assert upgrade(port, own, f"http://{own}") == 101                 # the app's own page
        assert upgrade(port, f"localhost:{port}", f"http://localhost:{port}") == 101

        proc.send_signal(signal.SIGTERM)                                   # to the command, not its group
        proc.wait(timeout=30)
        deadline = time.time() + 10
        while session_processes(proc.pid) and time.time() < deadline:
            time.sleep(0.1)
        assert not session_processes(proc.pid), "a process of the app outlived SIGTERM"
    finally:
        if proc.poll() is None or session_processes(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
