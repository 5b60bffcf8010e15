"""The PRR checklist (5.x): one Yes/No item per control of the catalog (under the control's
``checklist`` category) and the manual items of ``checklist.yaml``; each with its pass criterion,
the control behind it and where its evidence is.

``prr-policies checklist`` answers it from an audit result (``audit -o json`` or an evidence
bundle), a scan result (``scan -o json``, for what is static) and an attestation file (for what
only a person can see: who, when, where the evidence is, and the measured numbers where the item
has some). Each item is Yes, No, or not yet known, with the reason.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

from prr_policies._model import parse_dataclass
from prr_policies.catalog import ChecklistCategory, Control, Nfr
from prr_policies.documents._common import Context, control_link, notice, relative, requirement_link, table
from prr_policies.errors import InputError
from prr_policies.result import Status

CATEGORIES: tuple[str, ...] = get_args(ChecklistCategory)
ITEMS_FILE = Path(__file__).resolve().parent / "checklist.yaml"
GUARDRAIL_ATTESTATION_DAYS = 365
Answer = Literal["yes", "no", "unknown"]


@dataclass(frozen=True)
class Bound:
    at_most: str | None = None  # a dotted settings path, e.g. readiness.rto_minutes
    at_least: str | None = None

    def validate(self, source: str, path: str) -> None:
        if (self.at_most is None) == (self.at_least is None):
            raise InputError(source, path, "give exactly one of at_most, at_least")


@dataclass(frozen=True)
class ManualItem:
    id: str
    category: ChecklistCategory
    criterion: str
    requirements: tuple[str, ...]
    max_age_days: int
    nfr: tuple[Nfr, ...] = ()
    measures: dict[str, Bound] = field(default_factory=dict)


@dataclass(frozen=True)
class _ItemsFile:
    items: tuple[ManualItem, ...]


@lru_cache(maxsize=2)
def manual_items(path: Path = ITEMS_FILE) -> tuple[ManualItem, ...]:
    import yaml

    doc: _ItemsFile = parse_dataclass(_ItemsFile, yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
    seen: set[str] = set()
    for i, item in enumerate(doc.items):
        if item.id in seen:
            raise InputError(str(path), f"items[{i}].id", f"duplicate item {item.id}")
        seen.add(item.id)
    return doc.items


def setting(settings: Any, dotted: str) -> float:
    value = settings
    for part in dotted.split("."):
        value = getattr(value, part, None)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise InputError(str(ITEMS_FILE), dotted, "does not name a number in the settings")
    return float(value)


@dataclass(frozen=True)
class Item:
    id: str
    category: str
    criterion: str
    requirements: tuple[str, ...]
    control: Control | None = None
    manual: ManualItem | None = None

    @property
    def attested(self) -> bool:
        """Answered by a person: manual items, and controls only guardrails enforce (no rule to run)."""
        return self.manual is not None or self.control.facts is None  # type: ignore[union-attr]

    @property
    def how(self) -> str:
        if self.manual is not None:
            return "attested"
        c = self.control
        assert c is not None
        if c.facts is None:
            return "attested (preventive: " + ", ".join(c.enforcement.guardrail_sids[:3]) + ("..." if len(c.enforcement.guardrail_sids) > 3 else "") + ")"
        parts = []
        if c.enforcement.checkov:
            parts.append("scan")
        parts.append("audit")
        if c.enforcement.config_rules:
            parts.append("Config")
        return " + ".join(parts)

    @property
    def max_age_days(self) -> int:
        return self.manual.max_age_days if self.manual else GUARDRAIL_ATTESTATION_DAYS


def items(ctx: Context) -> list[Item]:
    out: list[Item] = []
    for c in ctx.controls():
        if c.checklist is None:
            raise InputError("catalog/controls.yaml", f"{c.id}.checklist", "every control needs a checklist category "
                             f"({', '.join(CATEGORIES)})")
        out.append(Item(c.id, c.checklist, c.title, c.requirements, control=c))
    req_ids = {r.id for r in ctx.cat.requirements}
    for m in manual_items():
        for r in m.requirements:
            if r not in req_ids:
                raise InputError(str(ITEMS_FILE), f"{m.id}.requirements", f"unknown requirement {r!r}")
        for name, bound in m.measures.items():
            setting(ctx.settings, bound.at_most or bound.at_least or "")
        out.append(Item(m.id, m.category, m.criterion, m.requirements, manual=m))
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(out, key=lambda i: order[i.category])


# -- the documents page ------------------------------------------------------------------------

def evidence_cell(ctx: Context, item: Item, page: str) -> str:
    if item.manual is not None or item.control is None or item.control.facts is None:
        return f"attestation `{item.id}` ([format]({relative('checklist.md', page)}#attestations))"
    c = item.control
    parts = [f"[evidence bundle]({relative('evidence.md', page)}) `/controls/{c.id}`"]
    if c.enforcement.checkov:
        parts.append("scan: " + ", ".join(c.enforcement.checkov))
    if c.enforcement.config_rules:
        parts.append(f"[Config rules]({ctx.conformance_pack_url()}): " + ", ".join(f"`{r}`" for r in c.enforcement.config_rules))
    if c.nfr or c.enforcement.runbook:
        parts.append(f"[dashboard]({ctx.dashboard_url()})")
    return "<br>".join(parts)


def page(ctx: Context) -> str:
    p = "checklist.md"
    out = [notice("the catalog, checklist.yaml and prr.yaml"), "# Production-readiness checklist (5.x)\n",
           f"Every item is answered Yes or No for {ctx.service}. `prr-policies checklist` answers the automated items "
           "from an audit result (or an evidence bundle) and a scan result, and the attested items from an "
           "attestation file; what it cannot answer it reports as not yet known.\n",
           "```sh\nprr-policies audit --region " + ctx.region + " --evidence evidence/\n"
           "prr-policies scan stack/ -o json > scan.json\n"
           "prr-policies checklist --evidence evidence/ --scan scan.json --attestations attestations.yaml\n```\n",
           f"Dashboard: [{ctx.dashboard_name()}]({ctx.dashboard_url()}). Config rules: the "
           f"[conformance pack]({ctx.conformance_pack_url()}) (Config may add a suffix to the rule names it deploys "
           "from a pack).\n"]
    all_items = items(ctx)
    for cat in CATEGORIES:
        mine = [i for i in all_items if i.category == cat]
        if not mine:
            continue
        out.append(f"## {cat.capitalize()}\n")
        rows = []
        for i in mine:
            behind = control_link(i.control.id, p) if i.control else "(manual)"
            reqs = ", ".join(requirement_link(r, p) for r in i.requirements)
            crit = i.criterion
            if i.manual and i.manual.measures:
                crit += " (" + "; ".join(f"{k} {'<=' if b.at_most else '>='} {setting(ctx.settings, b.at_most or b.at_least or ''):g}"
                                         for k, b in i.manual.measures.items()) + ")"
            rows.append((f"`{i.id}`", "Yes / No", crit, behind, i.how, reqs, evidence_cell(ctx, i, p)))
        out.append(table(["item", "answer", "pass criterion", "control", "answered by", "requirements", "evidence"], rows) + "\n")
    out.append("## Attestations\n")
    out.append("Attested items take an entry in a YAML file passed with `--attestations`: who attests, on which day, where "
               "the evidence is, and the measured numbers where the item names some. An attestation older than the "
               "item's maximum age, from the future, for an unknown item, or with missing or extra numbers is refused "
               "or reported as not yet known.\n")
    example = ["attestations:"]
    for m in manual_items()[:2]:
        example += [f"  - item: {m.id}", "    by: jane.doe@example.com", "    date: 2025-05-02",
                    f"    evidence: https://wiki.example.com/{ctx.service}/{m.id}"]
        if m.measures:
            example.append("    measured: {" + ", ".join(f"{k}: {setting(ctx.settings, b.at_most or b.at_least or ''):g}"
                                                        for k, b in m.measures.items()) + "}")
    out.append("```yaml\n" + "\n".join(example) + "\n```\n")
    ages = [(f"`{i.id}`", i.max_age_days) for i in all_items if i.attested]
    out.append(table(["attested item", "maximum age (days)"], ages) + "\n")
    return "\n".join(out)


# -- answering it -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Attestation:
    item: str
    by: str
    date: datetime.date
    evidence: str
    measured: dict[str, float] = field(default_factory=dict)
    note: str | None = None


@dataclass(frozen=True)
class _AttestationFile:
    attestations: tuple[Attestation, ...]


def load_attestations(path: Path, ctx: Context, today: datetime.date) -> dict[str, Attestation]:
    import yaml

    src = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(src, "", f"cannot read the attestation file: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(src, "", f"not valid YAML: {exc}") from None
    doc: _AttestationFile = parse_dataclass(_AttestationFile, data, src)
    by_id = {i.id: i for i in items(ctx)}
    out: dict[str, Attestation] = {}
    for n, a in enumerate(doc.attestations):
        at = f"attestations[{n}]"
        item = by_id.get(a.item)
        if item is None:
            raise InputError(src, f"{at}.item", f"{a.item!r} is not a checklist item")
        if not item.attested:
            raise InputError(src, f"{at}.item", f"{a.item} is answered by the audit and the scan, not by an attestation")
        if a.item in out:
            raise InputError(src, f"{at}.item", f"{a.item} is attested twice")
        for key in ("by", "evidence"):
            if not getattr(a, key).strip():
                raise InputError(src, f"{at}.{key}", "must say who attests and where the evidence is")
        if a.date > today:
            raise InputError(src, f"{at}.date", f"{a.date} is in the future")
        wanted = set(item.manual.measures) if item.manual else set()
        if set(a.measured) != wanted:
            missing, extra = sorted(wanted - set(a.measured)), sorted(set(a.measured) - wanted)
            raise InputError(src, f"{at}.measured", "expected exactly " + (", ".join(sorted(wanted)) or "no numbers")
                             + (f" (missing: {', '.join(missing)})" if missing else "") + (f" (not measured by this item: {', '.join(extra)})" if extra else ""))
        out[a.item] = a
    return out


def _results_from(doc: Any, source: str) -> dict[str, list[tuple[Status, str]]]:
    """control id -> [(status, 'resource: reason')] from an audit JSON, an evidence bundle or a scan JSON."""
    out: dict[str, list[tuple[Status, str]]] = {}
    if not isinstance(doc, dict):
        raise InputError(source, "", "expected a JSON object (prr-policies audit -o json, an evidence bundle, or scan -o json)")
    if isinstance(doc.get("controls"), dict):  # evidence bundle
        rows = [(cid, r, f"controls.{cid}.results[{i}]") for cid, c in doc["controls"].items()
                for i, r in enumerate((c or {}).get("results") or [])]
    elif isinstance(doc.get("results"), list):  # audit -o json
        rows = [(r.get("control_id") if isinstance(r, dict) else None, r, f"results[{i}]") for i, r in enumerate(doc["results"])]
    elif isinstance(doc.get("findings"), list):  # scan -o json; checkov's built-ins have no control
        rows = [(r.get("control_id"), r, f"findings[{i}]") for i, r in enumerate(doc["findings"]) if isinstance(r, dict) and r.get("control_id")]
    else:
        raise InputError(source, "", "neither an audit result (results), an evidence bundle (controls) nor a scan result (findings)")
    for cid, r, at in rows:
        if not isinstance(r, dict) or not isinstance(cid, str):
            raise InputError(source, at, "expected an object with control_id")
        status = Status.__members__.get(str(r.get("status")))
        if status is None:
            raise InputError(source, f"{at}.status", f"{r.get('status')!r} is not one of {', '.join(Status.__members__)}")
        what = r.get("resource_id") or r.get("resource") or "?"
        out.setdefault(cid, []).append((status, f"{what}: {r.get('reason', '')}"))
    return out


def read_results(path: Path) -> dict[str, list[tuple[Status, str]]]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(str(path), "", f"cannot read: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(str(path), "", f"not valid JSON: {exc}") from None
    return _results_from(doc, str(path))


@dataclass(frozen=True)
class Answered:
    item: Item
    answer: Answer
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item.id, "category": self.item.category, "criterion": self.item.criterion,
                "control": self.item.control.id if self.item.control else None, "answer": self.answer, "why": self.why}


def answer(ctx: Context, results: dict[str, list[tuple[Status, str]]], attestations: dict[str, Attestation],
           today: datetime.date) -> list[Answered]:
    out = []
    for item in items(ctx):
        if item.attested:
            a = attestations.get(item.id)
            if a is None:
                out.append(Answered(item, "unknown", "not attested yet"))
                continue
            age = (today - a.date).days
            if age > item.max_age_days:
                out.append(Answered(item, "unknown", f"attested by {a.by} on {a.date}, {age} days ago: older than "
                                                     f"{item.max_age_days} days, attest again"))
                continue
            misses = []
            for name, bound in (item.manual.measures if item.manual else {}).items():
                limit = setting(ctx.settings, bound.at_most or bound.at_least or "")
                value = a.measured[name]
                if (bound.at_most and value > limit) or (bound.at_least and value < limit):
                    misses.append(f"{name} {value:g} {'>' if bound.at_most else '<'} {bound.at_most or bound.at_least} {limit:g}")
            if misses:
                out.append(Answered(item, "no", "; ".join(misses) + f" (attested by {a.by} on {a.date})"))
            else:
                out.append(Answered(item, "yes", f"attested by {a.by} on {a.date}: {a.evidence}"))
            continue
        found = results.get(item.id, [])
        fails = [w for s, w in found if s is Status.FAIL]
        unknown = [w for s, w in found if s is Status.UNKNOWN]
        if fails:
            out.append(Answered(item, "no", f"{len(fails)} FAIL, e.g. {fails[0]}"))
        elif unknown:
            out.append(Answered(item, "unknown", f"{len(unknown)} UNKNOWN, e.g. {unknown[0]}"))
        elif found:
            n = sum(s is Status.PASS for s, _ in found)
            out.append(Answered(item, "yes", f"{n} PASS, {len(found) - n} NOT_APPLICABLE"))
        else:
            out.append(Answered(item, "unknown", "no result for this control: give an audit result or evidence bundle "
                                                 "(and a scan result for the static side)"))
    return out


def render_text(answers: list[Answered]) -> str:
    lines = []
    for cat in CATEGORIES:
        mine = [a for a in answers if a.item.category == cat]
        if not mine:
            continue
        lines.append(cat.upper())
        for a in mine:
            mark = {"yes": "Yes", "no": "No ", "unknown": " ? "}[a.answer]
            lines.append(f"  [{mark}] {a.item.id:<28} {a.item.criterion}")
            if a.answer != "yes":
                lines.append(f"          {a.why}")
    n = {k: sum(a.answer == k for a in answers) for k in ("yes", "no", "unknown")}
    lines.append("")
    lines.append(f"{n['yes']} yes, {n['no']} no, {n['unknown']} not yet known, of {len(answers)} items")
    return "\n".join(lines)


def render_markdown(answers: list[Answered]) -> str:
    rows = [(a.item.category, f"`{a.item.id}`", {"yes": "Yes", "no": "No", "unknown": "not yet known"}[a.answer],
             a.item.criterion, a.why) for a in answers]
    return table(["category", "item", "answer", "criterion", "why"], rows)


def run(ctx: Context, audit: list[Path], scan: list[Path], attestation_file: Path | None, output: str,
        today: datetime.date | None = None) -> tuple[str, int]:
    """The checklist answered from the given files: (text to print, exit code 0 when every item is Yes, else 1)."""
    today = today or datetime.date.today()
    results: dict[str, list[tuple[Status, str]]] = {}
    for path in [*audit, *scan]:
        for cid, rows in read_results(path).items():
            results.setdefault(cid, []).extend(rows)
    unknown_ids = sorted(set(results) - {c.id for c in ctx.controls()})
    if unknown_ids:
        raise InputError(str((audit + scan)[0]), "", f"results for controls the catalog does not have: {', '.join(unknown_ids)}")
    attestations = load_attestations(attestation_file, ctx, today) if attestation_file else {}
    answers = answer(ctx, results, attestations, today)
    if output == "json":
        text = json.dumps({"items": [a.to_dict() for a in answers],
                           "summary": {k: sum(a.answer == k for a in answers) for k in ("yes", "no", "unknown")}}, indent=2)
    elif output == "markdown":
        text = render_markdown(answers)
    else:
        text = render_text(answers)
    return text, 0 if all(a.answer == "yes" for a in answers) else 1
