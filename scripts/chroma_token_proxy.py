"""A token check in front of a Chroma server, for a squad without nginx or Caddy.

Chroma's own server (`chroma run`, chromadb 1.x) accepts every request; this proxy passes
on only requests carrying the squad's token (`Authorization: Bearer T` or `X-Chroma-Token: T`,
as Debate Prep sends them) and answers 401 to the rest. Standard library only.

    chroma run --path ./squad-library --host 127.0.0.1 --port 8001
    python scripts/chroma_token_proxy.py --listen 0.0.0.0:8000 --upstream 127.0.0.1:8001 \\
        --token-file squad.token

Use TLS (a reverse proxy with a certificate) when the server is reachable beyond the LAN.
"""

from __future__ import annotations

import argparse
import hmac
import http.client
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "upgrade", "host"}


def make_handler(token: str, upstream: tuple[str, int]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _authorised(self) -> bool:
            bearer = self.headers.get("Authorization", "")
            given = bearer[7:] if bearer.startswith("Bearer ") else ""
            given = given or self.headers.get("X-Chroma-Token", "")
            return bool(given) and hmac.compare_digest(given.encode(), token.encode())

        def _forward(self) -> None:
            if not self._authorised():
                body = json.dumps({"error": "AuthError", "message": "missing or wrong token"})
                self._send(401, {"Content-Type": "application/json"}, body.encode())
                return
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
            conn = http.client.HTTPConnection(*upstream, timeout=300)
            try:
                conn.request(self.command, self.path, body=data, headers=headers)
                resp = conn.getresponse()
                payload = resp.read()
                out = {k: v for k, v in resp.getheaders() if k.lower() not in HOP_HEADERS}
                out.pop("Content-Length", None)
                self._send(resp.status, out, payload)
            except OSError as exc:
                self._send(502, {"Content-Type": "text/plain"}, f"upstream: {exc}".encode())
            finally:
                conn.close()

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    return Handler


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--listen", default="127.0.0.1:8000", help="HOST:PORT to serve on")
    p.add_argument("--upstream", default="127.0.0.1:8001", help="the Chroma server HOST:PORT")
    p.add_argument("--token-file", help="a file holding the token (else $CHROMA_TEAM_TOKEN)")
    args = p.parse_args(argv)
    if args.token_file:
        token = Path(args.token_file).read_text(encoding="utf-8").strip()
    else:
        token = os.environ.get("CHROMA_TEAM_TOKEN", "")
    if not token:
        raise SystemExit("no token: --token-file FILE or $CHROMA_TEAM_TOKEN")
    server = ThreadingHTTPServer(
        _host_port(args.listen), make_handler(token, _host_port(args.upstream))
    )
    print(f"listening on {args.listen}, passing on to {args.upstream}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
