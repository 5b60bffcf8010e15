"""Issue 14, item 7: the compliance mapping verified. Every id is valid for its framework version
(the catalog loader), every control is mapped to all three frameworks, every cited id has its
framework's title, and the per-framework reports list exactly the controls citing each id. The
revisions of item 7 hold as properties of the catalog, so a new control cannot bring them back."""

from __future__ import annotations

import re

import pytest

from prr_policies import documents
from prr_policies.catalog import catalog
from prr_policies.documents import compliance
from tests.documents_helpers import SETTINGS, committed_pages

FRAMEWORKS = ("iso27001_2022", "soc2_tsc", "nist_csf_2")


def test_every_control_is_mapped_to_every_framework_and_every_cited_id_has_a_title():
    fws = compliance.frameworks()
    for c in catalog().controls:
        for key in FRAMEWORKS:
            ids = getattr(c.compliance, key)
            assert ids, f"{c.id} has no {key} id"
            for i in ids:
                assert i in fws[key].titles, f"{c.id}: {i}"


@pytest.mark.parametrize("key", FRAMEWORKS)
def test_each_report_lists_exactly_the_controls_citing_each_id(key):
    text = committed_pages()[f"docs/compliance/{key}.md"]
    listed = {}
    for ident, controls in re.findall(r"^\| (\S+) \| [^|]+ \| (.*) \|$", text, flags=re.M):
        if ident in ("id", "---"):
            continue
        listed[ident] = set(re.findall(r"\[(PRR-[A-Z]+-\d{3})\]", controls))
    ctx = documents.context(SETTINGS)
    cited = {i: set(cs) for i, cs in compliance.coverage(ctx, key).items() if cs}
    assert listed == cited
    uncovered = set(re.findall(r"Not covered by the PRR \(\d+\): (.*)\.$", text, flags=re.M))
    named = {i.strip() for line in uncovered for i in line.split(",")}
    assert named == set(compliance.valid_ids()[key]) - set(cited)


def test_a_dead_letter_queue_is_not_cited_as_a_backup():
    """Only the controls that check a backup (point-in-time recovery, AWS Backup, object versioning:
    issue 13) cite the backup requirements (NIST PR.DS-11, RC.RP-03; ISO A.8.13). Failure capture is
    a resilience mechanism (PR.IR-03), not a backup."""
    backup = {"PR.DS-11", "RC.RP-03", "A.8.13"}
    makes_backups = {"dynamodb:UpdateContinuousBackups", "backup:CreateBackupSelection", "s3:PutBucketVersioning"}
    citing = {c.id for c in catalog().controls if backup & set(c.compliance.nist_csf_2 + c.compliance.iso27001_2022)}
    assert citing == {c.id for c in catalog().controls if makes_backups & set(c.cloudtrail_events)}
    dlq = [c for c in catalog().controls if "dead-letter" in c.title.lower()]
    assert dlq and all("PR.IR-03" in c.compliance.nist_csf_2 for c in dlq)


def test_code_signing_controls_cite_unauthorized_software_and_integrity():
    signing = [c for c in catalog().controls if any("CodeSigningConfig" in e for e in c.cloudtrail_events)]
    assert len(signing) >= 2
    for c in signing:
        assert {"PR.PS-05", "ID.RA-09"} <= set(c.compliance.nist_csf_2), c.id
        assert "PR.DS-10" not in c.compliance.nist_csf_2, c.id
        assert "A.8.19" in c.compliance.iso27001_2022, c.id


def test_logging_controls_cite_log_records():
    logging = [c for c in catalog().controls if re.search(r"\blog", c.title.lower()) or
               any(e.startswith(("logs:", "cloudtrail:")) for e in c.cloudtrail_events)]
    assert logging
    for c in logging:
        assert "PR.PS-04" in c.compliance.nist_csf_2, c.id


def test_customer_managed_key_controls_cite_logical_access():
    cmk = [c for c in catalog().controls if "customer-managed kms key" in c.title.lower()]
    assert len(cmk) >= 4
    for c in cmk:
        assert "CC6.1" in c.compliance.soc2_tsc, c.id


def test_release_controls_cite_change_management_not_incident_containment():
    release = [c for c in catalog().controls if c.checklist == "release" and any(e.startswith(("codedeploy:", "lambda:CreateAlias"))
                                                                               for e in c.cloudtrail_events)]
    assert release
    for c in release:
        assert "ID.RA-07" in c.compliance.nist_csf_2 and "RS.MI-01" not in c.compliance.nist_csf_2, c.id
