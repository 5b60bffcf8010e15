"""The one generation hub: every artifact ``prr-policies generate`` writes, and the manifest that
makes them recognisable as generated.

``artifacts(settings)`` returns ``{relative path: text}`` for the SCPs, the RCPs, the permissions
boundaries and roles (:mod:`prr_policies.guardrails`) and the conformance pack with its rule
function's permissions (:mod:`prr_policies.config_rules.pack`).

``write(out, artifacts, settings_file)`` writes them under ``out`` together with
``MANIFEST`` (``prr-generated.json``): the files it wrote and their SHA-256. The manifest is
what lets generation be safe in a folder the user also writes to:

- a file the manifest lists is ours: it is replaced, or removed when no longer generated;
- a file the manifest does not list is the user's: it is never removed, and overwriting it is
  refused (:class:`OverwriteRefused`, exit 2, naming it) unless it already holds exactly the
  generated text (then it is adopted, which is how a folder from before the manifest upgrades);
- a listed file that was edited since it was written is not removed silently either: removal
  is refused, naming it.

``check(out, artifacts, settings_file)`` writes nothing and returns what differs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prr_policies.errors import InputError
from prr_policies.settings import Settings

MANIFEST = "prr-generated.json"
NOTICE = ("Written by `prr-policies generate`: the files below were generated from the settings file named here. "
          "Do not edit them; change the settings and run `prr-policies generate` again. "
          "generate replaces or removes only the files listed here.")


def artifacts(settings: Settings) -> dict[str, str]:
    """Every generated file for ``settings``, by path relative to the output folder."""
    from prr_policies import guardrails
    from prr_policies.config_rules import pack

    out = guardrails.generate(settings)
    out.update(pack.generate(settings))
    from prr_policies.guardrails import oidc  # the deploy role's GitHub OIDC trust policies
    out.update(oidc.generate(settings))
    return dict(sorted(out.items()))


def digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class OverwriteRefused(InputError):
    """Generation would overwrite or remove files it did not write (or that were edited since)."""

    def __init__(self, out: Path, paths: list[str], why: str):
        self.paths = paths
        super().__init__(str(out), "", f"{why}: {', '.join(paths)}")


@dataclass
class Manifest:
    settings: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    notice: str = NOTICE

    @classmethod
    def read(cls, out: Path, name: str = MANIFEST) -> "Manifest":
        path = out / name
        if not path.is_file():
            return cls()
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(str(path), "", f"not a readable generate manifest ({exc}); delete it only if every file "
                             "it lists is yours to regenerate") from None
        files = doc.get("files") if isinstance(doc, dict) else None
        if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
            raise InputError(str(path), "files", "expected an object of relative path -> sha256 digest")
        for rel in files:
            if rel.startswith("/") or ".." in Path(rel).parts:
                raise InputError(str(path), f"files.{rel}", "a generated path must stay inside the output folder")
        settings = doc.get("settings")
        return cls(settings if isinstance(settings, str) else None, dict(files))

    def render(self) -> str:
        doc: dict[str, Any] = {"_generated": self.notice, "settings": self.settings, "files": dict(sorted(self.files.items()))}
        return json.dumps(doc, indent=2) + "\n"


def _settings_ref(out: Path, settings_file: Path | None) -> str | None:
    if settings_file is None:
        return None
    try:
        return Path(settings_file).resolve().relative_to(out.resolve()).as_posix()
    except ValueError:
        return str(Path(settings_file).resolve())


@dataclass
class Plan:
    """What generation would do in ``out``."""

    write: list[str] = field(default_factory=list)  # new or changed
    same: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)  # ours, no longer generated
    refused_overwrite: list[str] = field(default_factory=list)  # the user's files in the way
    refused_remove: list[str] = field(default_factory=list)  # ours but edited since, no longer generated
    manifest_stale: bool = False
    manifest: str = MANIFEST

    @property
    def differ(self) -> list[str]:
        return sorted(self.write + self.remove + self.refused_overwrite + self.refused_remove
                      + ([self.manifest] if self.manifest_stale else []))


def plan(out: str | Path, generated: dict[str, str], settings_file: Path | None, manifest: str = MANIFEST,
         notice: str = NOTICE) -> Plan:
    """``manifest``: the manifest's path under ``out`` (the documents keep theirs in docs/)."""
    root = Path(out)
    old = Manifest.read(root, manifest)
    result = Plan(manifest=manifest)
    for rel, text in generated.items():
        path = root / rel
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            result.same.append(rel)
        elif current is None or rel in old.files:
            result.write.append(rel)
        else:
            result.refused_overwrite.append(rel)
    for rel, was in sorted(old.files.items()):
        if rel in generated:
            continue
        path = root / rel
        if not path.is_file():
            continue
        if digest(path.read_text(encoding="utf-8")) == was:
            result.remove.append(rel)
        else:
            result.refused_remove.append(rel)
    wanted = Manifest(_settings_ref(root, settings_file), {rel: digest(text) for rel, text in generated.items()}, notice)
    current_manifest = (root / manifest).read_text(encoding="utf-8") if (root / manifest).is_file() else None
    result.manifest_stale = current_manifest != wanted.render()
    return result


def write(out: str | Path, generated: dict[str, str], settings_file: Path | None, manifest: str = MANIFEST,
          notice: str = NOTICE) -> Plan:
    """Write ``generated`` under ``out`` and the manifest; remove the files a previous run wrote
    that are no longer generated. Raises :class:`OverwriteRefused` before touching anything
    when a file in the way is not ours."""
    root = Path(out)
    p = plan(root, generated, settings_file, manifest, notice)
    if p.refused_overwrite:
        raise OverwriteRefused(root, p.refused_overwrite, "refusing to overwrite files that `prr-policies generate` did not "
                               f"write (they are not in {manifest}); move them away or delete them")
    if p.refused_remove:
        raise OverwriteRefused(root, p.refused_remove, "these generated files are no longer generated but were edited since; "
                               "delete them yourself if the edits can go")
    for rel in p.write:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generated[rel], encoding="utf-8")
    for rel in p.remove:
        (root / rel).unlink()
    if p.manifest_stale:
        (root / manifest).parent.mkdir(parents=True, exist_ok=True)
        (root / manifest).write_text(Manifest(_settings_ref(root, settings_file),
                                              {rel: digest(text) for rel, text in generated.items()}, notice).render(),
                                     encoding="utf-8")
    return p


def manifests_under(directory: Path) -> list[Path]:
    """Every generated set (its manifest) under ``directory``, outside hidden and virtualenv folders."""
    skip = {".git", ".venv", "venv", "node_modules", ".terraform", "build", "dist", ".tox"}
    return sorted(p for p in directory.rglob(MANIFEST) if not (set(p.relative_to(directory).parts[:-1]) & skip))


def settings_of(manifest: Path) -> Path:
    """The settings file a generated set was written from, as its manifest records it."""
    ref = Manifest.read(manifest.parent).settings
    if not ref:
        raise InputError(str(manifest), "settings", "the manifest names no settings file; pass --settings")
    path = Path(ref) if Path(ref).is_absolute() else manifest.parent / ref
    if not path.is_file():
        raise InputError(str(manifest), "settings", f"{ref} does not exist")
    return path
