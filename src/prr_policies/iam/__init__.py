"""A local IAM authorization engine: AWS's evaluation logic with reasons.

    from prr_policies.iam import PolicySet, Request
    policies = PolicySet(identity=[doc], boundary=boundary_doc, scps=[[root_scp], [ou_scp], [acct_scp]])
    decision = policies.evaluate(Request("arn:aws:sts::111122223333:assumed-role/Ci/run-1",
                                         "lambda:CreateFunction", "arn:aws:lambda:eu-west-1:111122223333:function:f",
                                         context={"aws:RequestedRegion": "eu-west-1"}))
    decision.effect        # "Allow" | "ExplicitDeny" | "ImplicitDeny"
    decision.explain()     # the layers that blocked and the statements that decided

Policies are validated (:class:`PolicyError` names the JSON path), held to their type's size
limit (:data:`POLICY_TYPES`) and compiled once. This
package imports neither boto3 nor checkov; the account collector takes boto3 clients you pass.
"""

from prr_policies.iam.cases import Case, case_files, load_cases
from prr_policies.iam.engine import (
    ALLOW,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    PolicySet,
    Request,
    StatementRef,
    evaluate,
    parse_principal,
    policy_set,
)
from prr_policies.iam.limits import POLICY_TYPES
from prr_policies.iam.model import KINDS, Policy, PolicyError, PolicyTooLarge, Statement, parse_policy

__all__ = [
    "ALLOW", "EXPLICIT_DENY", "IMPLICIT_DENY", "KINDS", "POLICY_TYPES", "Case", "Decision", "Policy", "PolicyError", "PolicySet",
    "PolicyTooLarge",
    "Request", "Statement", "StatementRef", "case_files", "evaluate", "load_cases", "parse_policy",
    "parse_principal", "policy_set",
]
