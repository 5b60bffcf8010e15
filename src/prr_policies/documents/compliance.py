"""The compliance mapping, per framework: which of the framework's requirements the PRR covers,
and with which controls. Framework names, groups and titles come from catalog/frameworks.yaml; the
valid ids from catalog/compliance_ids.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from prr_policies._model import parse_dataclass
from prr_policies.catalog import CATALOG_DIR
from prr_policies.documents._common import Context, control_link, notice, table
from prr_policies.errors import InputError

FRAMEWORKS_FILE = CATALOG_DIR / "frameworks.yaml"
IDS_FILE = CATALOG_DIR / "compliance_ids.yaml"


@dataclass(frozen=True)
class Framework:
    name: str
    source: str
    groups: dict[str, str]
    titles: dict[str, str]


@dataclass(frozen=True)
class _FrameworksFile:
    frameworks: dict[str, Framework]


@lru_cache(maxsize=1)
def frameworks() -> dict[str, Framework]:
    import yaml

    doc: _FrameworksFile = parse_dataclass(_FrameworksFile, yaml.safe_load(FRAMEWORKS_FILE.read_text(encoding="utf-8")),
                                           str(FRAMEWORKS_FILE))
    valid = valid_ids()
    if set(doc.frameworks) != set(valid):
        raise InputError(str(FRAMEWORKS_FILE), "frameworks", f"must name exactly {', '.join(sorted(valid))}")
    for key, fw in doc.frameworks.items():
        for ident in fw.titles:
            if ident not in valid[key]:
                raise InputError(str(FRAMEWORKS_FILE), f"frameworks.{key}.titles.{ident}", f"not a valid {key} id")
        for ident in valid[key]:
            group_of(fw, ident)
    return doc.frameworks


@lru_cache(maxsize=1)
def valid_ids() -> dict[str, tuple[str, ...]]:
    import yaml

    data = yaml.safe_load(IDS_FILE.read_text(encoding="utf-8"))
    return {k: tuple(v) for k, v in data.items()}


def group_of(fw: Framework, ident: str) -> str:
    for g in sorted(fw.groups, key=len, reverse=True):
        if ident.startswith((g + ".", g + "-")):
            return g
    raise InputError(str(FRAMEWORKS_FILE), ident, f"no group of {fw.name} holds this id")


def coverage(ctx: Context, key: str) -> dict[str, list[str]]:
    """framework id -> the controls citing it, for every valid id of the framework (empty: not covered)."""
    out: dict[str, list[str]] = {i: [] for i in valid_ids()[key]}
    for c in ctx.controls():
        for ident in getattr(c.compliance, key):
            out[ident].append(c.id)
    return out


def page(ctx: Context, key: str) -> str:
    fw = frameworks()[key]
    p = f"compliance/{key}.md"
    cov = coverage(ctx, key)
    cited = [i for i, cs in cov.items() if cs]
    missing = [i for i in cited if i not in fw.titles]
    if missing:
        raise InputError(str(FRAMEWORKS_FILE), f"frameworks.{key}.titles", f"no title for the cited ids {', '.join(missing)}")
    out = [notice("the catalog and catalog/frameworks.yaml"), f"# {fw.name}\n", f"Source: {fw.source}.\n",
           f"The PRR's controls cite {len(cited)} of the framework's {len(cov)} requirements. Each cited id is valid for "
           "this version of the framework (the catalog loader refuses any other), and each was chosen against the "
           "framework's own wording.\n"]
    for g, gname in fw.groups.items():
        ids = [i for i in cov if group_of(fw, i) == g]
        if not ids:
            continue
        mine = [i for i in ids if cov[i]]
        out.append(f"## {g} {gname}\n")
        if mine:
            out.append(table(["id", "requirement", "controls"],
                             [(i, fw.titles[i], ", ".join(control_link(c, p) for c in cov[i])) for i in mine]) + "\n")
        rest = [i for i in ids if not cov[i]]
        if rest:
            out.append(f"Not covered by the PRR ({len(rest)}): {', '.join(rest)}.\n")
    return "\n".join(out)


def index(ctx: Context) -> str:
    rows = []
    for key, fw in frameworks().items():
        cov = coverage(ctx, key)
        rows.append((f"[{fw.name}]({key}.md)", sum(1 for v in cov.values() if v), len(cov)))
    unmapped = [c.id for c in ctx.controls()
                if not (c.compliance.iso27001_2022 and c.compliance.soc2_tsc and c.compliance.nist_csf_2)]
    return (notice("the catalog") + "# Compliance mapping\n\n"
            "Every control cites at least one id of each framework; these reports show, per framework, which of its "
            "requirements the PRR covers and with which controls.\n\n"
            + table(["framework", "requirements covered", "requirements in the framework"], rows) + "\n\n"
            + (f"Controls without an id of every framework: {', '.join(unmapped)}.\n" if unmapped
               else "Every control is mapped to all three frameworks.\n"))


def pages(ctx: Context) -> dict[str, str]:
    out = {f"docs/compliance/{key}.md": page(ctx, key) for key in frameworks()}
    out["docs/compliance/index.md"] = index(ctx)
    return out
