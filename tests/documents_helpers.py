"""Shared by the documents' tests: the committed pages, and Mermaid's own parser run through Node."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, ROOT

SETTINGS = EXAMPLE / "prr.yaml"
MERMAID_DIR = ROOT / "tools" / "mermaid"


def committed_pages() -> dict[str, str]:
    """mkdocs.yml and every file under docs/ as committed, by path relative to the repository root."""
    out = {"mkdocs.yml": (ROOT / "mkdocs.yml").read_text(encoding="utf-8")}
    for p in sorted((ROOT / "docs").rglob("*")):
        if p.is_file() and not p.name.startswith("."):
            out[p.relative_to(ROOT).as_posix()] = p.read_text(encoding="utf-8")
    return out


def mermaid_parse(diagrams: list[tuple[str, str]]) -> list[dict]:
    """Each (name, source) parsed by the `mermaid` npm package (tools/mermaid, installed by .ci/run)."""
    node = shutil.which("node")
    installed = (MERMAID_DIR / "node_modules" / "mermaid").is_dir() and (MERMAID_DIR / "node_modules" / "jsdom").is_dir()
    if node is None or not installed:
        why = ("Mermaid's parser is not installed: run `npm ci --prefix tools/mermaid` (.ci/run does)" if node
               else "node is not on the PATH")
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    proc = subprocess.run([node, str(MERMAID_DIR / "parse.mjs")], input=json.dumps([{"name": n, "source": s} for n, s in diagrams]),
                          capture_output=True, text=True, cwd=MERMAID_DIR)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)
