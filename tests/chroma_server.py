"""A real Chroma server for the team tests: `chroma run` from the installed chromadb on a free
127.0.0.1 port, behind the squad's token proxy (scripts/chroma_token_proxy.py), both started
here and stopped after. `stop()`/`start()` take the server away and bring it back on the same
port and data (the "server gone" tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CHROMA = Path(sys.executable).parent / "chroma"
PROXY = ROOT / "scripts" / "chroma_token_proxy.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    def __init__(self, path: Path, token: str) -> None:
        self.path, self.token = path, token
        self.chroma_port, self.port = free_port(), free_port()
        self._procs: list[subprocess.Popen[bytes]] = []
        self._log = path.parent / "chroma-server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def direct_url(self) -> str:
        """Chroma itself, without the token check."""
        return f"http://127.0.0.1:{self.chroma_port}"

    def start(self) -> None:
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "CHROMA_TEAM_TOKEN": self.token}
        log = self._log.open("ab")
        self._procs = [
            subprocess.Popen(
                [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1",
                 "--port", str(self.chroma_port)],
                stdout=log, stderr=log, env=env,
            ),
            subprocess.Popen(
                [sys.executable, str(PROXY), "--listen", f"127.0.0.1:{self.port}",
                 "--upstream", f"127.0.0.1:{self.chroma_port}"],
                stdout=log, stderr=log, env=env,
            ),
        ]  # fmt: skip
        self._wait_ready()

    def _wait_ready(self, timeout_s: float = 60.0) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", headers=headers).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if any(p.poll() is not None for p in self._procs):
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"chroma did not start: {self._log.read_text(errors='replace')[-2000:]}")

    def stop(self) -> None:
        for p in self._procs:
            p.terminate()
        for p in self._procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self._procs = []

    def rss_bytes(self) -> int:
        """The Chroma server process's resident memory."""
        status = Path(f"/proc/{self._procs[0].pid}/status").read_text()
        kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
        return int(kb) * 1024
