"""The platform host the contract tests call (marker ``host``): the repo's
scripts/sdk-contract-host.ts (createPlatform on in-memory PGlite with the
sales domain and EventService) as a Node subprocess on a free port, started
once per pytest run, with a dev token minted by ``ameide token``."""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Host:
    url: str
    token: str
    tenant: str


def _read_ready_line(proc: subprocess.Popen[str], timeout_s: float) -> str:
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout_s)
    if not result:
        raise RuntimeError(f"platform host not ready after {timeout_s:.0f} s")
    return result[0]


@pytest.fixture(scope="session")
def host() -> Iterator[Host]:
    if not (ROOT / "scripts" / "sdk-contract-host.ts").exists():
        raise RuntimeError(f"no scripts/sdk-contract-host.ts under {ROOT}")
    home = tempfile.mkdtemp(prefix="ameide-sdk-python-")
    stderr = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        ["node", "--import", "tsx", "scripts/sdk-contract-host.ts", home],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    try:
        line = _read_ready_line(proc, 180)
        try:
            url = json.loads(line)["url"]
        except (ValueError, KeyError):
            stderr.seek(0)
            raise RuntimeError(f"platform host printed {line!r}; stderr:\n{stderr.read()}") from None
        tenant = f"sdk-py-{secrets.token_hex(4)}"
        minted = subprocess.run(
            ["node", "scripts/ameide.mjs", "--home", home, "token",
             "--tenant", tenant, "--user", "alice", "--groups", "sales"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )
        if minted.returncode != 0:
            raise RuntimeError(f"ameide token failed ({minted.returncode}):\n{minted.stderr}")
        yield Host(url=url, token=minted.stdout.strip(), tenant=tenant)
    finally:
        # The host stops when its stdin closes.
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        stderr.close()
        shutil.rmtree(home, ignore_errors=True)
