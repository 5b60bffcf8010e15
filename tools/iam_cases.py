"""Writes iam_cases/*.json, the project's IAM case corpus, from the compact definitions below.

Every case's expected decision is written here by hand from the AWS documentation sentence it
quotes; the engine never produces an expectation. `python tools/iam_cases.py --check` exits 1
when the committed JSON differs from these definitions (a test runs it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "iam_cases"
A, B = "111122223333", "444455556666"
SESSION = f"arn:aws:sts::{A}:assumed-role/AppRole/app-session"
ROLE = f"arn:aws:iam::{A}:role/AppRole"
USER = f"arn:aws:iam::{A}:user/alice"
ROOT = f"arn:aws:iam::{A}:root"
FED = f"arn:aws:sts::{A}:federated-user/carol"
X_SESSION = f"arn:aws:sts::{B}:assumed-role/PartnerRole/partner"
X_ROLE = f"arn:aws:iam::{B}:role/PartnerRole"
BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket"
OBJ = BUCKET + "/report.csv"
FN = f"arn:aws:lambda:eu-west-1:{A}:function:orders-api"
QUEUE = f"arn:aws:sqs:eu-west-1:{A}:orders"
KEY = f"arn:aws:kms:eu-west-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"

IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
DOCS = {
    "eval": ("Policy evaluation logic", IAM + "reference_policies_evaluation-logic.html"),
    "denyallow": ("How AWS enforcement code logic evaluates requests to allow or deny access", IAM + "reference_policies_evaluation-logic_policy-eval-denyallow.html"),
    "interplay": ("The difference between explicit and implicit denies", IAM + "reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html"),
    "xacct": ("Cross-account policy evaluation logic", IAM + "reference_policies_evaluation-logic-cross-account.html"),
    "action": ("IAM JSON policy elements: Action", IAM + "reference_policies_elements_action.html"),
    "notaction": ("IAM JSON policy elements: NotAction", IAM + "reference_policies_elements_notaction.html"),
    "resource": ("IAM JSON policy elements: Resource", IAM + "reference_policies_elements_resource.html"),
    "notresource": ("IAM JSON policy elements: NotResource", IAM + "reference_policies_elements_notresource.html"),
    "principal": ("AWS JSON policy elements: Principal", IAM + "reference_policies_elements_principal.html"),
    "notprincipal": ("AWS JSON policy elements: NotPrincipal", IAM + "reference_policies_elements_notprincipal.html"),
    "condition": ("IAM JSON policy elements: Condition", IAM + "reference_policies_elements_condition.html"),
    "operators": ("IAM JSON policy elements: Condition operators", IAM + "reference_policies_elements_condition_operators.html"),
    "logic": ("Condition with multiple context keys or values", IAM + "reference_policies_condition-logic-multiple-context-keys-or-values.html"),
    "multi": ("Single-valued vs. multivalued context keys", IAM + "reference_policies_condition-single-vs-multi-valued-context-keys.html"),
    "vars": ("IAM policy elements: Variables and tags", IAM + "reference_policies_variables.html"),
    "version": ("IAM JSON policy elements: Version", IAM + "reference_policies_elements_version.html"),
    "boundary": ("Permissions boundaries for IAM entities", IAM + "access_policies_boundaries.html"),
    "session": ("Policies and permissions in IAM: Session policies", IAM + "access_policies.html#policies_session"),
    "scp": ("Service control policies (SCPs)", "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html"),
    "scpeval": ("SCP evaluation", "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html"),
    "rcp": ("Resource control policies (RCPs)", "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html"),
    "rcpsyntax": ("RCP syntax", "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html"),
    "keys": ("AWS global condition context keys", IAM + "reference_policies_condition-keys.html"),
    "codesign": ("Configuring IAM policies for Lambda code signing configurations", "https://docs.aws.amazon.com/lambda/latest/dg/config-codesigning-policies.html"),
    "passrole": ("Grant a user permissions to pass a role to an AWS service", IAM + "id_roles_use_passrole.html"),
    "sesstags": ("Pass session tags in AWS STS", IAM + "id_session-tags.html"),
    "sourceid": ("Monitor and control actions taken with assumed roles", IAM + "id_credentials_temp_control-access_monitor.html"),
    "stsapi": ("Compare AWS STS credentials", IAM + "id_credentials_temp_request.html"),
    "slr": ("Using service-linked roles", IAM + "using-service-linked-roles.html"),
    "sso": ("Troubleshooting IAM Identity Center issues", "https://docs.aws.amazon.com/singlesignon/latest/userguide/troubleshooting.html"),
    "managed": ("AWS managed policies", IAM + "access_policies_managed-vs-inline.html"),
    "kmsalias": ("Use aliases to control access to KMS keys", "https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html"),
    "kmsaliasaccess": ("Controlling access to aliases", "https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html"),
    "kmskeys": ("AWS KMS condition keys", "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html"),
}

Q = {
    "deny_trumps": "If policies that apply to a request include an Allow statement and a Deny statement, the Deny statement trumps the Allow statement. The request is explicitly denied.",
    "implicit": "An implicit denial occurs when there is no applicable Deny statement but also no applicable Allow statement.",
    "default_deny": "By default, all requests are implicitly denied with the exception of the AWS account root user, which has full access.",
    "deny_anywhere": "In all those policies, the enforcement code looks for a Deny statement that applies to the request. This is called an explicit deny. If the code finds even one explicit deny that applies, the code returns a final decision of Deny.",
    "id_or_rbp": "If an action is allowed by an identity-based policy, a resource-based policy, or both, then AWS allows the action.",
    "same_acct_either": "If either the identity-based policy or the resource-based policy within the same account allows the request and the other doesn't, the request is still allowed.",
    "identity_none": "If there are no identity-based policies or no statements in identity-based policies that allow the requested action, then the request is implicitly denied",
    "xacct_both": "The request is allowed only if both evaluations return a decision of Allow.",
    "action_case": "The prefix and the action name are case insensitive.",
    "action_wild": "You can use multi-character match wildcards (*) and single-character match wildcards (?)",
    "notaction": "NotAction is an advanced policy element that explicitly matches everything except the specified list of actions.",
    "res_segment": "You can use wildcard characters (* and ?) within the individual segments of an ARN (the parts separated by colons)",
    "res_colon": "If the * wildcard is the last character of a resource ARN segment, it can expand to match beyond the colon boundaries.",
    "res_slash": "The asterisk (*) character can expand to replace everything within a segment, including characters like a forward slash (/)",
    "res_case": "In the Resource element, the IAM user name is case sensitive.",
    "notresource": "NotResource is an advanced policy element that explicitly matches every resource except those specified.",
    "key_missing": "If the key that you specify in a policy condition is not present in the request context, the values do not match and the condition is false.",
    "key_missing_neg": "If the policy condition requires that the key is not matched, such as StringNotLike or ArnNotLike, and the right key is not present, the condition is true. This logic applies to all condition operators except ...IfExists and Null check.",
    "ifexists": "If the policy key is present in the context of the request, process the key as specified in the policy. If the key is not present, evaluate the condition element as true.",
    "null": "Use a Null condition operator to check if a condition key is absent at the time of authorization. In the policy statement, use either true (the key doesn't exist - it is null) or false (the key exists and its value is not null).",
    "and_or": "If your policy has multiple condition operators or multiple keys attached to a single condition operator, the conditions are evaluated using a logical AND. If a single condition operator includes multiple values for one key, that condition operator is evaluated using a logical OR.",
    "key_case": "Key names are case-insensitive. For example, aws:CurrentTime is equivalent to AWS:currenttime.",
    "string_equals": "StringEquals: Exact matching, case sensitive",
    "string_ic": "StringEqualsIgnoreCase: Exact matching, ignoring case",
    "string_like": "StringLike: Case-sensitive matching. The values can include multi-character match wildcards (*) and single-character match wildcards (?) anywhere in the string.",
    "numeric": "Numeric condition operators let you construct Condition elements that restrict access based on comparing a key to an integer or decimal value.",
    "date": "You must specify date/time values with one of the W3C implementations of the ISO 8601 date formats or in epoch (UNIX) time.",
    "bool": "Boolean conditions let you construct Condition elements that restrict access based on comparing a key to true or false.",
    "binary": "It compares the value of the specified key byte for byte against a base-64 encoded representation of the binary value in the policy.",
    "ip": "IP address condition operators let you construct Condition elements that restrict access based on comparing a key to an IPv4 or IPv6 address or range of IP addresses.",
    "ip_prefix": "If you specify an IP address without the associated routing prefix, IAM uses the default prefix value of /32.",
    "arn": "Each of the six colon-delimited components of the ARN is checked separately and each can include multi-character match wildcards (*) or single-character match wildcards (?).",
    "forall": "The condition returns true if every key value in the request matches at least one value in the policy. It also returns true if there are no keys in the request, or if the key values resolve to a null data set, such as an empty string.",
    "forany": "The condition returns true if any one of the context key values in the request matches any one of the context key values in the policy. For no matching context key or if the key does not exist, the condition returns false.",
    "vars_replace": "When the policy is evaluated, the policy variables are replaced with values that come from the conditional context keys passed in the request.",
    "vars_missing": "not present means that the value is not in the current request information, and any attempt to match it fails and causes the statement to be invalid.",
    "vars_null_cond": "When you use a variable with no value in the condition element, StringEquals or StringLike do not match; inverted condition operators like StringNotEquals or StringNotLike do match against a null value.",
    "vars_special": "${*} - use where you need an * (asterisk) character.",
    "vars_default": "To add a default value to a variable, surround the default value with single quotes (' '), and separate the variable text and the default value with a comma and space (, ).",
    "version_literal": "If you do not include a Version element, the value defaults to 2008-10-17, but newer features, such as policy variables, will not work with your policy. For example, variables such as ${aws:username} aren't recognized as variables and are instead treated as literal strings in the policy.",
    "boundary_both": "An entity's permissions boundary allows it to perform only the actions that are allowed by both its identity-based policies and its permissions boundaries.",
    "boundary_not_grant": "A permissions boundary is an advanced feature for using a managed policy to set the maximum permissions that an identity-based policy can grant to an IAM entity.",
    "rbp_role": "Resource-based policies that grant permissions to an IAM role ARN are limited by an implicit deny in a permissions boundary or session policy.",
    "rbp_session": "Within the same account, resource-based policies that grant permissions to an IAM role session ARN grant permissions directly to the assumed role session. Permissions granted directly to a session are not limited by an implicit deny in an identity-based policy, a permissions boundary, or session policy.",
    "rbp_user": "Within the same account, resource-based policies that grant permissions to an IAM user ARN (that is not a federated user session) are not limited by an implicit deny in an identity-based policy or permissions boundary.",
    "rbp_fed": "Within the same account, resource-based policies that grant permissions to a federated user ARN grant permissions directly to the session.",
    "rbp_account": "When you use an AWS account identifier as the principal in a policy, you delegate authority to the account. All identities inside the account can access the resource if they have the appropriate IAM permissions attached to explicitly allow access.",
    "rbp_star": "For resource-based policies, using a wildcard (*) with an Allow effect grants access to all users, including anonymous users (public access).",
    "trust_kms": "IAM role trust policies and KMS key policies are exceptions to this logic, because they must explicitly allow access for principals.",
    "session_limit": "Session policies limit permissions for a created session, but do not grant permissions.",
    "session_absent": "If there is no session policy, the code checks whether the principal is a role session. If the principal is a role session, then the request is Allowed. Otherwise, the request is implicitly denied and the code returns a final decision of Deny.",
    "session_present": "If a session policy is present and does not allow the requested action, then the request is implicitly denied.",
    "notprincipal_account": "When you use NotPrincipal with Deny, you must also specify the account ARN of the not-denied principal. Otherwise, the policy might deny access to the entire account containing the principal.",
    "notprincipal_boundary": "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a permissions boundary policy attached, regardless of the values specified in the NotPrincipal element.",
    "scp_allow": "If the enforcement code does not find any applicable Allow statements in the SCPs, then the request is implicitly denied.",
    "scp_no_grant": "SCPs alone are not sufficient to granting permissions to the accounts in your organization. No permissions are granted by an SCP.",
    "scp_root": "The SCP maximum applies to principals in member accounts, including each AWS account root user.",
    "scp_slr": "SCPs do not affect service-linked roles.",
    "scp_levels": "For a permission to be allowed for a specific account, there must be an explicit Allow statement at every level from the root through each OU in the direct path to the account (including the target account itself).",
    "rcp_full": "This default RCP allows all principals and actions access to pass through RCP evaluation, meaning until you start creating and attaching RCPs, all your existing IAM permissions continue to operate as they did. This does not grant access.",
    "rcp_no_grant": "RCPs alone are not sufficient in granting permissions to the resources in your organization. No permissions are granted by an RCP.",
    "rcp_subset": "RCPs apply to resources for a subset of AWS services.",
    "codesign_null": "Use a Null condition operator to check if a condition key is absent at the time of authorization.",
    "passrole": "To pass a role (and its permissions) to an AWS service, a user must have permissions to pass the role to the service.",
    "notprincipal_allow": "We strongly recommend that you do not use NotPrincipal in the same policy statement as \"Effect\": \"Allow\". Doing so allows all principals except the one named in the NotPrincipal element. We do not recommend this because the permissions specified in the policy statement will be granted to all principals except for the ones specified. By doing this, you might grant access to anonymous (unauthenticated) users.",
    "tagsession": "In addition to the action that matches the API operation, you must have the following permissions-only action in your policy: sts:TagSession",
    "tagsession_trust": "This action must be allowed before the user can pass session tags. If your policy includes the first statement without the second statement, the user can't assume the role.",
    "tagsession_keys": "sts:TransitiveTagKeys - Use this key to compare the transitive session tag keys in the request with those specified in the policy.",
    "sourceid": "In addition to the action that matches the API operation, you must have the following permissions-only action in your policy: sts:SetSourceIdentity",
    "sourceid_chain": "When you assume a role with another role, called role chaining, permissions for sts:SetSourceIdentity are required in both the permissions policy of the principal who is assuming the role and in the role trust policy of the target role. Otherwise, the assume role operation will fail.",
    "sourceid_xacct": "To set a source identity across account boundaries, you must include the sts:SetSourceIdentity permission in two places. It must be in the permissions policy of the principal in the originating account and in the role trust policy of the role in the target account.",
    "getcalleridentity": "No permissions are required to perform this operation. If an administrator adds a policy to your IAM user or role that explicitly denies access to the sts:GetCallerIdentity action, you can still perform this operation.",
    "slr_edit": "An IAM administrator can view, but not edit the permissions for service-linked roles.",
    "slr_policy": "The defined permissions include the trust policy and the permissions policy, and that permissions policy cannot be attached to any other IAM entity.",
    "slr_description": "You can edit the description of any role from the IAM console, API, or CLI.",
    "sso_protected": "Attempting to modify these roles from within the IAM console will result in the following error: 'Cannot perform the operation on the protected role 'AWSReservedSSO_RoleName_Here' - this role is only modifiable by AWS'",
    "managed_fixed": "You cannot change the permissions defined in AWS managed policies.",
    "kms_resource_alias": "When an alias is the value of a resource element, the policy applies to the alias resource, not to any KMS key that might be associated with it.",
    "kms_request_alias": "To satisfy this condition, the value of the KeyId parameter in the request must be a matching alias name or alias ARN. If the request uses a different key identifier, it does not satisfy the condition, even if identifies the same KMS key.",
    "kms_request_alias_ops": "You cannot use this condition key to control access to alias operations, such as CreateAlias or DeleteAlias.",
    "kms_resource_aliases": "To satisfy the condition, the KMS key used in the operation must have the specified alias. It does not matter whether or how the KMS key is identified in the request for the operation.",
    "kms_anyvalue": "ForAnyValue: At least one alias associated with the KMS key must match an alias in the policy condition. Other aliases are permitted. If the KMS key has no aliases, the condition is not satisfied.",
    "kms_allvalues": "ForAllValues: Every alias associated with the KMS key must match an alias in the policy. This set operator limits the aliases associated with the KMS key to those in the policy condition.",
    "kms_alias_both": "To create an alias, the principal needs the following permissions for both the alias and for the associated KMS key.",
    "kms_alias_keypolicy": "kms:CreateAlias for the KMS key. This permission must be provided in a key policy or in an IAM policy that is delegated from the key policy.",
}

CASES: dict[str, list] = {}


def pol(*stmts, version="2012-10-17"):
    return {"Version": version, "Statement": list(stmts)}


def st(effect, action, resource="*", **extra):
    s = {"Effect": effect, "Action": action}
    if resource is not None:
        s["Resource"] = resource
    s.update(extra)
    return s


def allow(action, resource="*", **extra):
    return st("Allow", action, resource, **extra)


def deny(action, resource="*", **extra):
    return st("Deny", action, resource, **extra)


FULL_SCP = pol({"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"})
FULL_RCP = pol({"Sid": "RCPFullAWSAccess", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})
ALL = pol(allow("*"))


def scps(*extra_per_level):
    """Three levels (root, OU, account), each with FullAWSAccess plus the extra policies."""
    levels = [[FULL_SCP], [FULL_SCP], [FULL_SCP]]
    for lvl, docs in extra_per_level:
        levels[lvl] = levels[lvl] + list(docs)
    return levels


def case(topic, cid, doc, quote, expected, *, action, res="*", principal=SESSION, identity=(), resource=(),
         boundary=None, session=(), scps=(), rcps=(), context=None, principal_account=None, resource_account=None, why=""):
    title, url = DOCS[doc]
    paccount = principal_account or (principal.split(":")[4] if principal.startswith("arn:") else None)
    request = {"principal": principal, "action": action, "resource": res}
    if paccount:
        request["principal_account"] = paccount
    racct = resource_account or (res.split(":")[4] if res.startswith("arn:") and res.split(":")[4] else paccount)
    if racct:
        request["resource_account"] = racct
    request["context"] = context or {}
    rule = (why + " " if why else "") + f"Doc: \"{Q[quote]}\""
    CASES.setdefault(topic, []).append({
        "id": cid, "source": f"{title} - {url}", "rule": rule,
        "policies": {"identity": list(identity), "resource": list(resource), "boundary": boundary,
                     "session": list(session), "scps": [list(l) for l in scps], "rcps": [list(l) for l in rcps]},
        "request": request, "expected": expected})


# =============================================================================== basics
T = "basics"
case(T, "basic-allow-single-statement", "interplay", "implicit", "Allow", action="s3:GetObject", res=OBJ,
     identity=[pol(allow("s3:GetObject", BUCKET + "/*"))], why="An applicable Allow and no Deny allows.")
case(T, "basic-no-policies-implicit-deny", "denyallow", "default_deny", "ImplicitDeny", action="s3:GetObject", res=OBJ,
     why="No policy at all: the default implicit deny.")
case(T, "basic-allow-other-action-implicit-deny", "interplay", "implicit", "ImplicitDeny", action="s3:PutObject", res=OBJ,
     identity=[pol(allow("s3:GetObject", BUCKET + "/*"))])
case(T, "basic-allow-other-resource-implicit-deny", "interplay", "implicit", "ImplicitDeny", action="s3:GetObject", res=OBJ,
     identity=[pol(allow("s3:GetObject", "arn:aws:s3:::other-bucket/*"))])
case(T, "basic-deny-in-second-policy", "denyallow", "deny_anywhere", "ExplicitDeny", action="s3:GetObject", res=OBJ,
     identity=[ALL, pol(deny("s3:GetObject"))])
case(T, "basic-deny-before-allow-order", "interplay", "deny_trumps", "ExplicitDeny", action="sqs:SendMessage", res=QUEUE,
     identity=[pol(deny("sqs:*", QUEUE), allow("sqs:SendMessage", QUEUE))], why="Statement order does not matter.")
case(T, "basic-deny-other-action-no-effect", "interplay", "deny_trumps", "Allow", action="sqs:SendMessage", res=QUEUE,
     identity=[pol(allow("sqs:*"), deny("sqs:DeleteQueue"))], why="A Deny for another action does not apply.")
case(T, "basic-deny-only-policy-implicit", "interplay", "implicit", "ImplicitDeny", action="sqs:SendMessage", res=QUEUE,
     identity=[pol(deny("sqs:DeleteQueue"))], why="A Deny that does not apply grants nothing.")
case(T, "basic-allow-in-any-of-several-policies", "eval", "identity_none", "Allow", action="lambda:InvokeFunction", res=FN,
     identity=[pol(allow("s3:GetObject")), pol(allow("lambda:InvokeFunction", FN))])
case(T, "basic-statement-object-not-list", "eval", "identity_none", "Allow", action="lambda:GetFunction", res=FN,
     identity=[{"Version": "2012-10-17", "Statement": allow("lambda:GetFunction")}], why="Statement may be a single object.")
case(T, "basic-duplicate-statements", "interplay", "deny_trumps", "ExplicitDeny", action="lambda:DeleteFunction", res=FN,
     identity=[pol(allow("lambda:*"), allow("lambda:*"), deny("lambda:DeleteFunction"), deny("lambda:DeleteFunction"))])
case(T, "basic-action-list-or", "action", "action_wild", "Allow", action="lambda:UpdateAlias", res=FN,
     identity=[pol(allow(["lambda:PublishVersion", "lambda:UpdateAlias"], FN))], why="Any listed action matches.")
case(T, "basic-resource-list-or", "resource", "res_segment", "Allow", action="sqs:SendMessage", res=QUEUE,
     identity=[pol(allow("sqs:SendMessage", [f"arn:aws:sqs:eu-west-1:{A}:other", QUEUE]))])
case(T, "basic-notaction-allow-grants-others", "notaction", "notaction", "Allow", action="s3:GetObject", res=OBJ,
     identity=[pol({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})])
case(T, "basic-notaction-deny-exempts-listed", "notaction", "notaction", "Allow", action="iam:GetUser", res=USER,
     principal=USER, identity=[ALL, pol({"Effect": "Deny", "NotAction": ["iam:Get*", "iam:List*"], "Resource": "*"})],
     why="A Deny with NotAction does not deny the listed actions.")
case(T, "basic-notaction-deny-denies-others", "notaction", "notaction", "ExplicitDeny", action="iam:CreateUser", res=USER,
     principal=USER, identity=[ALL, pol({"Effect": "Deny", "NotAction": ["iam:Get*", "iam:List*"], "Resource": "*"})])
case(T, "basic-user-needs-identity-allow", "denyallow", "identity_none", "ImplicitDeny", action="iam:ListUsers",
     principal=USER, identity=[pol(allow("iam:GetUser"))])
case(T, "basic-allow-star-star", "interplay", "implicit", "Allow", action="ec2:RunInstances",
     res=f"arn:aws:ec2:eu-west-1:{A}:instance/i-0abc", identity=[ALL])
case(T, "basic-explicit-deny-star", "interplay", "deny_trumps", "ExplicitDeny", action="ec2:RunInstances",
     res=f"arn:aws:ec2:eu-west-1:{A}:instance/i-0abc", identity=[ALL, pol(deny("*"))])
case(T, "basic-iam-report-suffix-deny", "interplay", "deny_trumps", "ExplicitDeny", action="iam:GenerateCredentialReport",
     principal=USER, identity=[pol(allow(["iam:Get*", "iam:List*", "iam:GenerateCredentialReport"]), deny("iam:*Report"))],
     why="The doc example denies every action ending in Report.")
case(T, "basic-iam-get-allowed-report-not", "interplay", "implicit", "ImplicitDeny", action="iam:CreatePolicy",
     principal=USER, identity=[pol(allow(["iam:Get*", "iam:List*"]), deny("iam:*Report"))],
     why="iam:CreatePolicy is neither Get nor List: implicitly denied.")

# =============================================================================== actions
T = "actions"
for i, (pattern, action, expected, why) in enumerate([
    ("S3:GETOBJECT", "s3:GetObject", "Allow", "Upper-case pattern matches."),
    ("s3:getobject", "S3:GetObject", "Allow", "Lower-case pattern matches a mixed-case request."),
    ("s3:Get*", "s3:GetObjectVersion", "Allow", "A trailing * matches the rest of the name."),
    ("s3:Get*", "s3:PutObject", "ImplicitDeny", "s3:Get* does not match PutObject."),
    ("s3:*Object", "s3:DeleteObject", "Allow", "A leading * in the name."),
    ("s3:*Object", "s3:DeleteObjects", "ImplicitDeny", "*Object must end in Object."),
    ("ec2:*Instances", "ec2:RunInstances", "Allow", ""),
    ("ec2:*Instance*", "ec2:DescribeInstanceStatus", "Allow", "Wildcards at both ends."),
    ("s3:GetObjec?", "s3:GetObject", "Allow", "? matches exactly one character."),
    ("s3:GetObjec?", "s3:GetObjects", "ImplicitDeny", "? matches one character, not two."),
    ("s3:Get?bject", "s3:GetObject", "Allow", ""),
    ("s3:Get??bject", "s3:GetObject", "ImplicitDeny", "Two ? need two characters."),
    ("lambda:*", "lambda:InvokeFunction", "Allow", ""),
    ("lambda:*", "lambda-url:InvokeFunctionUrl", "ImplicitDeny", "A service's * does not reach another service."),
    ("*", "kms:Decrypt", None, None),
    ("sqs:Send*", "sqs:SendMessageBatch", "Allow", ""),
    ("iam:Pass*", "iam:PassRole", "Allow", ""),
    ("iam:PassRole", "iam:PassRoles", "ImplicitDeny", "An exact name is exact."),
    ("dynamodb:*Item", "dynamodb:BatchGetItem", "Allow", ""),
    ("logs:Create*", "logs:PutLogEvents", "ImplicitDeny", ""),
]):
    if expected is None:
        continue
    case(T, f"action-{i:02d}-{action.replace(':', '-').lower()}", "action", "action_case" if "?" not in pattern and "*" not in pattern else "action_wild",
         expected, action=action, principal=USER, identity=[pol(allow(pattern))], why=f"Action {pattern!r} vs request {action!r}: {why}".strip())
case(T, "action-star-matches-any-service", "action", "action_wild", "Allow", action="cloudwatch:PutMetricData",
     principal=USER, identity=[pol(allow("*"))])
case(T, "action-deny-wildcard-case-insensitive", "action", "action_case", "ExplicitDeny", action="Lambda:deleteFunction",
     res=FN, identity=[ALL, pol(deny("LAMBDA:Delete*"))], why="Deny patterns are case-insensitive too.")

# =============================================================================== resources
T = "resources"
for i, (pattern, resource, expected, quote, why) in enumerate([
    (BUCKET + "/*", OBJ, "Allow", "res_slash", ""),
    (BUCKET + "/*", BUCKET, "ImplicitDeny", "res_slash", "bucket/* does not match the bucket itself."),
    (BUCKET, OBJ, "ImplicitDeny", "res_segment", "The bucket ARN does not match its objects."),
    (BUCKET + "/*/test/*", BUCKET + "/1///test///object.jpg", "Allow", "res_slash", "Doc example: matches."),
    (BUCKET + "/*/test/*", BUCKET + "//test/object.jpg", "Allow", "res_slash", "Doc example: matches."),
    (BUCKET + "/*/test/*", BUCKET + "/1/test/", "Allow", "res_slash", "Doc example: matches."),
    (BUCKET + "/*/test/*", BUCKET + "/1-test/object.jpg", "ImplicitDeny", "res_slash", "Doc example: no match."),
    (BUCKET + "/*/test/*", BUCKET + "/test/object.jpg", "ImplicitDeny", "res_slash", "Doc example: no match."),
    (BUCKET + "/*/test/*", BUCKET + "/1/2/test.jpg", "ImplicitDeny", "res_slash", "Doc example: no match."),
    (f"arn:aws:iam::{A}:user/Bob", f"arn:aws:iam::{A}:user/bob", "ImplicitDeny", "res_case", "User names are case sensitive."),
    (f"arn:aws:iam::{A}:user/Bob", f"arn:aws:iam::{A}:user/Bob", "Allow", "res_case", ""),
    (f"arn:aws:iam::{A}:user/accounting/*", f"arn:aws:iam::{A}:user/accounting/dan", "Allow", "res_slash", "All users on the /accounting path."),
    (f"arn:aws:sqs:*:{A}:orders", QUEUE, "Allow", "res_segment", "* as a whole Region segment."),
    (f"arn:aws:sqs:eu-*-1:{A}:orders", QUEUE, "Allow", "res_segment", "* inside a segment."),
    (f"arn:aws:sqs:eu-???t-1:{A}:orders", QUEUE, "Allow", "res_segment", "? inside a segment."),
    (f"arn:aws:sqs:eu-??-1:{A}:orders", QUEUE, "ImplicitDeny", "res_segment", "Each ? is one character."),
    ("arn:aws:sqs:*-1:orders", QUEUE, "ImplicitDeny", "res_colon", "A * that does not end its segment stays inside it."),
    ("arn:aws:dynamodb:*:table/prod-*", f"arn:aws:dynamodb:eu-west-1:{A}:table/prod-orders", "Allow", "res_colon",
     "A * that ends its segment runs on past the colons."),
    ("arn:aws:dynamodb:*:table/prod-*", f"arn:aws:dynamodb:eu-west-1:{A}:table/dev-orders", "ImplicitDeny", "res_colon", ""),
    (f"arn:aws:lambda:eu-west-1:{A}:function:orders-*", FN, "Allow", "res_segment", ""),
    (f"arn:aws:lambda:eu-west-1:{A}:function:orders-*", FN + ":live", "Allow", "res_colon", "A trailing * also covers the alias qualifier."),
    (FN, FN + ":live", "ImplicitDeny", "res_segment", "The unqualified ARN does not match a qualified one."),
    (FN + ":*", FN + ":7", "Allow", "res_colon", "function:name:* covers versions and aliases."),
    (f"arn:aws:lambda:*:{B}:function:*", FN, "ImplicitDeny", "res_segment", "Another account's functions."),
    ("*", FN, "Allow", "res_segment", ""),
]):
    case(T, f"resource-{i:02d}", "resource", quote, expected, action="s3:GetObject" if ":s3:" in resource else "iam:GetUser" if ":iam:" in resource
         else "sqs:SendMessage" if ":sqs:" in resource else "dynamodb:GetItem" if "dynamodb" in resource else "lambda:InvokeFunction",
         res=resource, principal=USER, identity=[pol(allow("*", pattern))], why=f"Resource {pattern!r} vs {resource!r}. {why}".strip())
case(T, "notresource-allow-everything-but", "notresource", "notresource", "ImplicitDeny", action="s3:GetObject", res=OBJ,
     identity=[pol({"Effect": "Allow", "Action": "s3:*", "NotResource": [BUCKET, BUCKET + "/*"]})])
case(T, "notresource-allow-other-bucket", "notresource", "notresource", "Allow", action="s3:GetObject",
     res="arn:aws:s3:::public-bucket/x", identity=[pol({"Effect": "Allow", "Action": "s3:*", "NotResource": [BUCKET, BUCKET + "/*"]})])
case(T, "notresource-deny-outside-prefix", "notresource", "notresource", "ExplicitDeny", action="s3:PutObject",
     res="arn:aws:s3:::other/x", identity=[ALL, pol({"Effect": "Deny", "Action": "s3:*", "NotResource": [BUCKET, BUCKET + "/*"]})])
case(T, "notresource-deny-inside-exempt", "notresource", "notresource", "Allow", action="s3:PutObject", res=OBJ,
     identity=[ALL, pol({"Effect": "Deny", "Action": "s3:*", "NotResource": [BUCKET, BUCKET + "/*"]})])
case(T, "resource-star-request-needs-star", "resource", "res_segment", "ImplicitDeny", action="s3:ListAllMyBuckets", res="*",
     identity=[pol(allow("s3:ListAllMyBuckets", BUCKET))], why="A request on \"*\" is not matched by a specific ARN.")


def cond(op, key, value, expected, ctx, quote, cid, why="", effect="Allow", action="s3:GetObject", res=OBJ, principal=SESSION):
    stmt = st(effect, action, "*", Condition={op: {key: value}})
    identity = [pol(stmt)] if effect == "Allow" else [ALL, pol(stmt)]
    case("conditions", cid, "operators" if quote not in ("and_or", "key_case", "key_missing") else "condition" if quote != "and_or" else "logic",
         quote, expected, action=action, res=res, principal=principal, identity=identity, context=ctx,
         why=(f"{op} {{{key}: {json.dumps(value)}}} with context {json.dumps(ctx)}. " + why).strip())


# =============================================================================== conditions
C = "conditions"
cond("StringEquals", "aws:PrincipalTag/team", "platform", "Allow", {"aws:PrincipalTag/team": "platform"}, "string_equals", "cond-stringequals-match")
cond("StringEquals", "aws:PrincipalTag/team", "platform", "ImplicitDeny", {"aws:PrincipalTag/team": "Platform"}, "string_equals", "cond-stringequals-case-sensitive")
cond("StringEquals", "aws:PrincipalTag/team", "platform", "ImplicitDeny", {}, "key_missing", "cond-stringequals-key-missing")
cond("StringEquals", "aws:PrincipalTag/team", ["web", "platform"], "Allow", {"aws:PrincipalTag/team": "platform"}, "and_or", "cond-stringequals-values-or")
cond("StringEquals", "aws:PrincipalTag/team", "plat*", "ImplicitDeny", {"aws:PrincipalTag/team": "platform"}, "string_equals", "cond-stringequals-no-wildcards", "StringEquals has no wildcards.")
cond("StringNotEquals", "aws:PrincipalTag/team", "platform", "Allow", {"aws:PrincipalTag/team": "web"}, "string_equals", "cond-stringnotequals-other")
cond("StringNotEquals", "aws:PrincipalTag/team", "platform", "ImplicitDeny", {"aws:PrincipalTag/team": "platform"}, "string_equals", "cond-stringnotequals-same")
cond("StringNotEquals", "aws:PrincipalTag/team", ["a", "b"], "ImplicitDeny", {"aws:PrincipalTag/team": "b"}, "and_or", "cond-stringnotequals-any-listed", "Equal to one listed value: the negation is false.")
cond("StringNotEquals", "aws:PrincipalTag/team", "platform", "Allow", {}, "key_missing_neg", "cond-stringnotequals-missing-allow")
cond("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "PLATFORM", "Allow", {"aws:PrincipalTag/team": "platform"}, "string_ic", "cond-stringequalsignorecase")
cond("StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", "PLATFORM", "ImplicitDeny", {"aws:PrincipalTag/team": "Platform"}, "string_ic", "cond-stringnotequalsignorecase")
cond("StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", "PLATFORM", "Allow", {"aws:PrincipalTag/team": "web"}, "string_ic", "cond-stringnotequalsignorecase-other")
cond("StringLike", "s3:prefix", "home/*", "Allow", {"s3:prefix": "home/alice/"}, "string_like", "cond-stringlike-star", action="s3:ListBucket", res=BUCKET)
cond("StringLike", "s3:prefix", "home/*", "ImplicitDeny", {"s3:prefix": "public/"}, "string_like", "cond-stringlike-star-no", action="s3:ListBucket", res=BUCKET)
cond("StringLike", "s3:prefix", "home/?", "Allow", {"s3:prefix": "home/a"}, "string_like", "cond-stringlike-qmark", action="s3:ListBucket", res=BUCKET)
cond("StringLike", "s3:prefix", "home/?", "ImplicitDeny", {"s3:prefix": "home/ab"}, "string_like", "cond-stringlike-qmark-one", action="s3:ListBucket", res=BUCKET)
cond("StringLike", "s3:prefix", "Home/*", "ImplicitDeny", {"s3:prefix": "home/a"}, "string_like", "cond-stringlike-case", action="s3:ListBucket", res=BUCKET)
cond("StringLike", "s3:prefix", "*", "ImplicitDeny", {}, "key_missing", "cond-stringlike-star-missing-key", "Even * needs the key present.", action="s3:ListBucket", res=BUCKET)
cond("StringNotLike", "s3:prefix", "private/*", "Allow", {"s3:prefix": "public/x"}, "string_like", "cond-stringnotlike", action="s3:ListBucket", res=BUCKET)
cond("StringNotLike", "s3:prefix", "private/*", "ImplicitDeny", {"s3:prefix": "private/x"}, "string_like", "cond-stringnotlike-no", action="s3:ListBucket", res=BUCKET)
cond("StringNotLike", "s3:prefix", "private/*", "Allow", {}, "key_missing_neg", "cond-stringnotlike-missing", action="s3:ListBucket", res=BUCKET)
cond("StringLike", "aws:userAgent", "*a:b*", "Allow", {"aws:UserAgent": "x a:b y"}, "string_like", "cond-stringlike-colon", "StringLike's * crosses colons (it is not an ARN).")
for op, val, ctxv, exp in [("NumericEquals", "10", "10", "Allow"), ("NumericEquals", "10", "10.0", "Allow"), ("NumericEquals", "10", "11", "ImplicitDeny"),
                           ("NumericNotEquals", "10", "11", "Allow"), ("NumericNotEquals", "10", "10", "ImplicitDeny"),
                           ("NumericLessThan", "100", "99", "Allow"), ("NumericLessThan", "100", "100", "ImplicitDeny"),
                           ("NumericLessThanEquals", "100", "100", "Allow"), ("NumericGreaterThan", "100", "100.5", "Allow"),
                           ("NumericGreaterThan", "100", "20", "ImplicitDeny"), ("NumericGreaterThanEquals", "100", "100", "Allow"),
                           ("NumericLessThanEquals", 2.5, "2.50", "Allow"), ("NumericLessThan", "1000", "-5", "Allow")]:
    cond(op, "s3:max-keys", val, exp, {"s3:max-keys": ctxv}, "numeric", f"cond-{op.lower()}-{str(val).replace('.', '_')}-{ctxv.replace('.', '_').replace('-', 'm')}",
         action="s3:ListBucket", res=BUCKET)
cond("NumericLessThan", "s3:max-keys", "10", "ImplicitDeny", {}, "key_missing", "cond-numeric-missing", action="s3:ListBucket", res=BUCKET)
cond("NumericNotEquals", "s3:max-keys", "10", "Allow", {}, "key_missing_neg", "cond-numericnotequals-missing", action="s3:ListBucket", res=BUCKET)
cond("NumericLessThanIfExists", "s3:max-keys", "10", "Allow", {}, "ifexists", "cond-numeric-ifexists-missing", action="s3:ListBucket", res=BUCKET)
cond("NumericLessThanIfExists", "s3:max-keys", "10", "ImplicitDeny", {"s3:max-keys": "50"}, "ifexists", "cond-numeric-ifexists-present", action="s3:ListBucket", res=BUCKET)
for op, val, ctxv, exp in [("DateLessThan", "2027-01-01T00:00:00Z", "2026-11-27T12:00:00Z", "Allow"),
                           ("DateLessThan", "2027-01-01T00:00:00Z", "2027-01-01T00:00:01Z", "ImplicitDeny"),
                           ("DateGreaterThan", "2026-01-01", "2026-06-01T00:00:00Z", "Allow"),
                           ("DateGreaterThan", "2026-01-01T00:00:00Z", "1700000000", "ImplicitDeny"),
                           ("DateLessThan", "1800000000", "2026-11-27T00:00:00Z", "Allow"),
                           ("DateEquals", "2026-11-27T10:00:00Z", "2026-11-27T12:00:00+02:00", "Allow"),
                           ("DateNotEquals", "2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z", "ImplicitDeny"),
                           ("DateLessThanEquals", "2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z", "Allow"),
                           ("DateGreaterThanEquals", "2026-11-27T10:00:00Z", "2026-11-27T09:59:59Z", "ImplicitDeny"),
                           ("DateGreaterThan", "2026-11-27T10:00:00.500Z", "2026-11-27T10:00:01Z", "Allow")]:
    cond(op, "aws:CurrentTime", val, exp, {"aws:CurrentTime": ctxv}, "date", f"cond-{op.lower()}-{len(CASES.get(C, []))}")
cond("DateLessThan", "aws:CurrentTime", "2027-01-01T00:00:00Z", "ImplicitDeny", {}, "key_missing", "cond-date-missing")
cond("DateLessThan", "aws:EpochTime", "1800000000", "Allow", {"aws:EpochTime": "1790000000"}, "date", "cond-date-epoch-key")
for val, ctxv, exp in [("true", "true", "Allow"), ("true", "false", "ImplicitDeny"), (True, "true", "Allow"), ("false", "false", "Allow"), ("TRUE", "true", "Allow")]:
    cond("Bool", "aws:SecureTransport", val, exp, {"aws:SecureTransport": ctxv}, "bool", f"cond-bool-{str(val).lower()}-{ctxv}-{len(CASES[C])}")
cond("Bool", "aws:SecureTransport", "true", "ImplicitDeny", {}, "key_missing", "cond-bool-missing")
cond("BoolIfExists", "aws:MultiFactorAuthPresent", "true", "Allow", {}, "ifexists", "cond-boolifexists-missing")
cond("BoolIfExists", "aws:MultiFactorAuthPresent", "false", "ExplicitDeny", {"aws:MultiFactorAuthPresent": "false"}, "ifexists", "cond-boolifexists-deny-false", effect="Deny")
cond("BoolIfExists", "aws:MultiFactorAuthPresent", "false", "ExplicitDeny", {}, "ifexists", "cond-boolifexists-deny-missing", "Deny ... BoolIfExists false also denies when the key is absent.", effect="Deny")
cond("Bool", "aws:MultiFactorAuthPresent", "false", "Allow", {}, "key_missing", "cond-bool-deny-missing-no-effect", "Deny with Bool false does not apply when the key is absent.", effect="Deny")
cond("BinaryEquals", "key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "Allow", {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, "binary", "cond-binaryequals")
cond("BinaryEquals", "key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "ImplicitDeny", {"key": "b3RoZXI="}, "binary", "cond-binaryequals-other")
for op, val, ip, exp, cid in [("IpAddress", "203.0.113.0/24", "203.0.113.77", "Allow", "cond-ip-v4-in"),
                              ("IpAddress", "203.0.113.0/24", "203.0.114.1", "ImplicitDeny", "cond-ip-v4-out"),
                              ("IpAddress", "203.0.113.5", "203.0.113.5", "Allow", "cond-ip-v4-bare-32"),
                              ("IpAddress", "203.0.113.5", "203.0.113.6", "ImplicitDeny", "cond-ip-v4-bare-32-other"),
                              ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1", "Allow", "cond-ip-v6-in"),
                              ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1", "ImplicitDeny", "cond-ip-v6-out"),
                              ("IpAddress", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"], "2001:db8:1234:5678::9", "Allow", "cond-ip-mixed-list"),
                              ("IpAddress", "203.0.113.0/24", "2001:db8::1", "ImplicitDeny", "cond-ip-v6-request-v4-policy"),
                              ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", "Allow", "cond-notip-outside"),
                              ("NotIpAddress", "203.0.113.0/24", "203.0.113.1", "ImplicitDeny", "cond-notip-inside")]:
    cond(op, "aws:SourceIp", val, exp, {"aws:SourceIp": ip}, "ip" if "bare" not in cid else "ip_prefix", cid)
cond("IpAddress", "aws:SourceIp", "203.0.113.0/24", "ImplicitDeny", {}, "key_missing", "cond-ip-missing")
cond("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", "ExplicitDeny", {}, "key_missing_neg", "cond-notip-deny-missing", "Deny NotIpAddress applies when aws:SourceIp is absent (as for calls by AWS services).", effect="Deny")
for op, val, arn, exp, cid in [("ArnLike", f"arn:aws:sns:*:{A}:orders-*", f"arn:aws:sns:eu-west-1:{A}:orders-events", "Allow", "cond-arnlike"),
                               ("ArnLike", f"arn:aws:sns:*:{A}:orders-*", f"arn:aws:sns:eu-west-1:{B}:orders-events", "ImplicitDeny", "cond-arnlike-account"),
                               ("ArnLike", "arn:aws:sns:*", f"arn:aws:sns:eu-west-1:{A}:t", "ImplicitDeny", "cond-arnlike-too-few-parts"),
                               ("ArnLike", "arn:aws:sns:*:*:*", f"arn:aws:sns:eu-west-1:{A}:t", "Allow", "cond-arnlike-all-parts"),
                               ("ArnEquals", f"arn:aws:sns:eu-west-1:{A}:t", f"arn:aws:sns:eu-west-1:{A}:t", "Allow", "cond-arnequals"),
                               ("ArnEquals", f"arn:aws:sns:eu-west-1:{A}:T", f"arn:aws:sns:eu-west-1:{A}:t", "ImplicitDeny", "cond-arnequals-case"),
                               ("ArnNotLike", f"arn:aws:sns:*:{A}:*", f"arn:aws:sns:eu-west-1:{B}:t", "Allow", "cond-arnnotlike-other"),
                               ("ArnNotEquals", f"arn:aws:sns:eu-west-1:{A}:t", f"arn:aws:sns:eu-west-1:{A}:t", "ImplicitDeny", "cond-arnnotequals-same"),
                               ("ArnLike", f"arn:aws:sns:eu-west-?:{A}:t", f"arn:aws:sns:eu-west-1:{A}:t", "Allow", "cond-arnlike-qmark"),
                               ("ArnLike", "arn:aws:iam::*:role/ci-*", f"arn:aws:iam::{A}:role/ci-deployer", "Allow", "cond-arnlike-role")]:
    cond(op, "aws:SourceArn", val, exp, {"aws:SourceArn": arn}, "arn", cid, action="sqs:SendMessage", res=QUEUE)
cond("ArnLike", "aws:SourceArn", "arn:aws:sns:*:*:*", "ImplicitDeny", {}, "key_missing", "cond-arnlike-missing", action="sqs:SendMessage", res=QUEUE)
cond("ArnNotLike", "aws:SourceArn", "arn:aws:sns:*:*:*", "Allow", {}, "key_missing_neg", "cond-arnnotlike-missing", action="sqs:SendMessage", res=QUEUE)
cond("ArnLike", "aws:SourceArn", "arn:aws:sns:*:*:*", "ImplicitDeny", {"aws:SourceArn": "not-an-arn"}, "arn", "cond-arnlike-not-arn", action="sqs:SendMessage", res=QUEUE)
cond("Null", "aws:TokenIssueTime", "true", "Allow", {}, "null", "cond-null-true-absent")
cond("Null", "aws:TokenIssueTime", "true", "ImplicitDeny", {"aws:TokenIssueTime": "2026-11-27T00:00:00Z"}, "null", "cond-null-true-present")
cond("Null", "aws:TokenIssueTime", "false", "Allow", {"aws:TokenIssueTime": "2026-11-27T00:00:00Z"}, "null", "cond-null-false-present")
cond("Null", "aws:TokenIssueTime", "false", "ImplicitDeny", {}, "null", "cond-null-false-absent")
cond("Null", "aws:TokenIssueTime", True, "Allow", {}, "null", "cond-null-json-boolean")
cond("StringEqualsIfExists", "ec2:InstanceType", "t3.micro", "Allow", {}, "ifexists", "cond-stringifexists-absent", action="ec2:RunInstances")
cond("StringEqualsIfExists", "ec2:InstanceType", "t3.micro", "Allow", {"ec2:InstanceType": "t3.micro"}, "ifexists", "cond-stringifexists-match", action="ec2:RunInstances")
cond("StringEqualsIfExists", "ec2:InstanceType", "t3.micro", "ImplicitDeny", {"ec2:InstanceType": "m5.24xlarge"}, "ifexists", "cond-stringifexists-other", action="ec2:RunInstances")
cond("StringNotEqualsIfExists", "ec2:InstanceType", "t3.micro", "Allow", {}, "ifexists", "cond-stringnotifexists-absent", action="ec2:RunInstances")
cond("StringEquals", "AWS:PRINCIPALTAG/team", "platform", "Allow", {"aws:PrincipalTag/team": "platform"}, "key_case", "cond-key-name-case-policy")
cond("StringEquals", "aws:principaltag/team", "platform", "Allow", {"AWS:PrincipalTag/TEAM": "platform"}, "key_case", "cond-key-name-case-context")


def multi(cid, condition, expected, ctx, quote, why="", effect="Allow", doc="logic"):
    stmt = st(effect, "sqs:SendMessage", "*", Condition=condition)
    case("conditions", cid, doc, quote, expected, action="sqs:SendMessage", res=QUEUE,
         identity=[pol(stmt)] if effect == "Allow" else [ALL, pol(stmt)], context=ctx,
         why=(f"Condition {json.dumps(condition)} with context {json.dumps(ctx)}. " + why).strip())


both = {"StringEquals": {"aws:PrincipalTag/team": "platform", "aws:RequestedRegion": "eu-west-1"}}
multi("cond-two-keys-both", both, "Allow", {"aws:PrincipalTag/team": "platform", "aws:RequestedRegion": "eu-west-1"}, "and_or")
multi("cond-two-keys-one-fails", both, "ImplicitDeny", {"aws:PrincipalTag/team": "platform", "aws:RequestedRegion": "us-east-1"}, "and_or")
multi("cond-two-keys-one-missing", both, "ImplicitDeny", {"aws:PrincipalTag/team": "platform"}, "and_or")
two_ops = {"StringEquals": {"aws:PrincipalTag/team": "platform"}, "Bool": {"aws:SecureTransport": "true"}}
multi("cond-two-operators-both", two_ops, "Allow", {"aws:PrincipalTag/team": "platform", "aws:SecureTransport": "true"}, "and_or")
multi("cond-two-operators-one-fails", two_ops, "ImplicitDeny", {"aws:PrincipalTag/team": "platform", "aws:SecureTransport": "false"}, "and_or")
deny_two = {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}, "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}}
multi("cond-deny-two-operators-both-true", deny_two, "ExplicitDeny", {"aws:RequestedRegion": "us-east-1"}, "and_or", "Outside the Regions, not break-glass: denied.", effect="Deny")
multi("cond-deny-two-operators-region-ok", deny_two, "Allow", {"aws:RequestedRegion": "eu-central-1"}, "and_or", "In an allowed Region the Deny does not apply.", effect="Deny")
case(C, "cond-deny-break-glass-exempt", "logic", "and_or", "Allow", action="sqs:SendMessage", res=QUEUE,
     principal=f"arn:aws:sts::{A}:assumed-role/BreakGlass/incident-7", identity=[ALL, pol(st("Deny", "*", "*", Condition=deny_two))],
     context={"aws:RequestedRegion": "us-east-1"}, why="aws:PrincipalArn of a role session is the role ARN: ArnNotLike is false, so the ANDed Deny does not apply.")
case(C, "cond-error-unreadable-number-denies", "operators", "numeric", "ImplicitDeny", action="s3:ListBucket", res=BUCKET,
     identity=[pol(allow("s3:ListBucket", "*", Condition={"NumericLessThan": {"s3:max-keys": "100"}}))],
     context={"s3:max-keys": "many"}, why="A request value that is not a number cannot satisfy a numeric comparison; the engine denies.")

# =============================================================================== multivalued
T = "multivalued"
def mv(cid, op, values, ctx, expected, quote, why="", effect="Allow"):
    stmt = st(effect, "lambda:TagResource", "*", Condition={op: {"aws:TagKeys": values}})
    case(T, cid, "multi", quote, expected, action="lambda:TagResource", res=FN,
         identity=[pol(stmt)] if effect == "Allow" else [ALL, pol(stmt)],
         context={} if ctx is None else {"aws:TagKeys": ctx}, why=(f"{op} aws:TagKeys {values} vs request {ctx}. " + why).strip())


mv("mv-forall-subset", "ForAllValues:StringEquals", ["env", "team"], ["env"], "Allow", "forall")
mv("mv-forall-equal", "ForAllValues:StringEquals", ["env", "team"], ["team", "env"], "Allow", "forall")
mv("mv-forall-extra", "ForAllValues:StringEquals", ["env", "team"], ["env", "owner"], "ImplicitDeny", "forall")
mv("mv-forall-absent", "ForAllValues:StringEquals", ["env", "team"], None, "Allow", "forall")
mv("mv-forall-empty-list", "ForAllValues:StringEquals", ["env", "team"], [], "Allow", "forall")
mv("mv-forall-empty-string", "ForAllValues:StringEquals", ["env", "team"], [""], "Allow", "forall")
mv("mv-forall-like", "ForAllValues:StringLike", ["app:*"], ["app:env", "app:team"], "Allow", "forall")
mv("mv-forall-like-one-off", "ForAllValues:StringLike", ["app:*"], ["app:env", "owner"], "ImplicitDeny", "forall")
mv("mv-forall-notequals", "ForAllValues:StringNotEquals", ["owner"], ["env", "team"], "Allow", "forall", "No requested key is owner.")
mv("mv-forall-notequals-hit", "ForAllValues:StringNotEquals", ["owner"], ["env", "owner"], "ImplicitDeny", "forall")
mv("mv-forany-one", "ForAnyValue:StringEquals", ["env", "team"], ["owner", "env"], "Allow", "forany")
mv("mv-forany-none", "ForAnyValue:StringEquals", ["env", "team"], ["owner"], "ImplicitDeny", "forany")
mv("mv-forany-absent", "ForAnyValue:StringEquals", ["env", "team"], None, "ImplicitDeny", "forany")
mv("mv-forany-empty", "ForAnyValue:StringEquals", ["env", "team"], [], "ImplicitDeny", "forany")
mv("mv-forany-deny-absent-no-match", "ForAnyValue:StringEquals", ["protected"], None, "Allow", "forany",
   "A Deny with ForAnyValue does not apply when the key is absent.", effect="Deny")
mv("mv-forany-deny-hit", "ForAnyValue:StringEquals", ["protected"], ["env", "protected"], "ExplicitDeny", "forany", effect="Deny")
mv("mv-forany-notequals", "ForAnyValue:StringNotEquals", ["env"], ["env", "team"], "Allow", "forany", "team is not env.")
mv("mv-forany-notequals-only-listed", "ForAnyValue:StringNotEquals", ["env"], ["env"], "ImplicitDeny", "forany")
mv("mv-forall-deny-absent-applies", "ForAllValues:StringEquals", ["env"], None, "ExplicitDeny", "forall",
   "A Deny with ForAllValues applies when the key is absent (why it is risky).", effect="Deny")
mv("mv-forany-ifexists-absent", "ForAnyValue:StringEqualsIfExists", ["env"], None, "Allow", "ifexists")
mv("mv-forall-case-sensitive", "ForAllValues:StringEquals", ["env"], ["Env"], "ImplicitDeny", "forall")
mv("mv-forall-ignorecase", "ForAllValues:StringEqualsIgnoreCase", ["env"], ["Env", "ENV"], "Allow", "forall")
case(T, "mv-single-op-on-list-any", "multi", "forany", "Allow", action="lambda:TagResource", res=FN,
     identity=[pol(allow("lambda:TagResource", "*", Condition={"StringEquals": {"aws:TagKeys": "env"}}))],
     context={"aws:TagKeys": ["team", "env"]},
     why="Without a set operator a listed request value that matches satisfies the operator (the engine reads it as any-of).")

# =============================================================================== variables
T = "variables"
def var(cid, resource_pattern, res, principal, ctx, expected, quote, doc="vars", why="", version="2012-10-17", action="s3:GetObject"):
    case(T, cid, doc, quote, expected, action=action, res=res, principal=principal,
         identity=[pol(allow("s3:*", resource_pattern), version=version)], context=ctx,
         why=(f"Resource {resource_pattern!r}, request {res!r}, context {json.dumps(ctx)}. " + why).strip())


var("var-username-other-user", BUCKET + "/home/${aws:username}/*", BUCKET + "/home/bob/x", USER, {"aws:username": "alice"}, "ImplicitDeny", "vars_replace")
var("var-username-derived-from-user-arn", BUCKET + "/home/${aws:username}/*", BUCKET + "/home/alice/x", USER, {}, "Allow", "vars_replace",
    why="aws:username of an IAM user is the user's name (a key in every request the user signs).")
var("var-username-absent-for-role", BUCKET + "/home/${aws:username}/*", BUCKET + "/home/app-session/x", SESSION, {}, "ImplicitDeny", "vars_missing",
    why="A role session has no aws:username: the resource with the variable matches nothing.")
var("var-principaltag", BUCKET + "/${aws:PrincipalTag/department}/*", BUCKET + "/finance/q3.csv", SESSION, {"aws:PrincipalTag/department": "finance"}, "Allow", "vars_replace")
var("var-principaltag-other", BUCKET + "/${aws:PrincipalTag/department}/*", BUCKET + "/hr/q3.csv", SESSION, {"aws:PrincipalTag/department": "finance"}, "ImplicitDeny", "vars_replace")
var("var-default-used", BUCKET + "/${aws:PrincipalTag/team, 'shared'}/*", BUCKET + "/shared/x", SESSION, {}, "Allow", "vars_default")
var("var-default-not-used", BUCKET + "/${aws:PrincipalTag/team, 'shared'}/*", BUCKET + "/shared/x", SESSION, {"aws:PrincipalTag/team": "web"}, "ImplicitDeny", "vars_default")
var("var-key-name-case", BUCKET + "/${AWS:PrincipalTag/Department}/*", BUCKET + "/finance/x", SESSION, {"aws:principaltag/department": "finance"}, "Allow", "key_case")
var("var-literal-star", BUCKET + "/${*}/x", BUCKET + "/*/x", USER, {}, "Allow", "vars_special")
var("var-literal-star-not-wildcard", BUCKET + "/${*}/x", BUCKET + "/abc/x", USER, {}, "ImplicitDeny", "vars_special")
var("var-literal-qmark", BUCKET + "/what${?}", BUCKET + "/what?", USER, {}, "Allow", "vars_special")
var("var-literal-dollar", BUCKET + "/${$}price", BUCKET + "/$price", USER, {}, "Allow", "vars_special")
var("var-value-is-literal-not-wildcard", BUCKET + "/home/${aws:username}/*", BUCKET + "/home/bob/x", f"arn:aws:iam::{A}:user/alice",
    {"aws:username": "*"}, "ImplicitDeny", "vars_replace", why="A substituted value is text, never a wildcard.")
var("var-2008-literal", BUCKET + "/home/${aws:username}/*", BUCKET + "/home/alice/x", USER, {}, "ImplicitDeny", "version_literal", doc="version", version="2008-10-17")
var("var-2008-literal-text-matches", BUCKET + "/home/${aws:username}/*", BUCKET + "/home/${aws:username}/x", USER, {}, "Allow", "version_literal", doc="version", version="2008-10-17")
case(T, "var-no-version-literal", "version", "version_literal", "ImplicitDeny", action="s3:GetObject", res=BUCKET + "/home/alice/x", principal=USER,
     identity=[{"Statement": [allow("s3:*", BUCKET + "/home/${aws:username}/*")]}], why="No Version element: 2008-10-17, variables are text.")
case(T, "var-in-condition", "vars", "vars_replace", "Allow", action="s3:ListBucket", res=BUCKET, principal=USER,
     identity=[pol(allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}))],
     context={"s3:prefix": "home/alice/docs/"})
case(T, "var-in-condition-other", "vars", "vars_replace", "ImplicitDeny", action="s3:ListBucket", res=BUCKET, principal=USER,
     identity=[pol(allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}))],
     context={"s3:prefix": "home/bob/"})
case(T, "var-null-in-stringequals-no-match", "vars", "vars_null_cond", "ImplicitDeny", action="s3:GetObject", res=OBJ,
     identity=[pol(allow("s3:GetObject", "*", Condition={"StringEquals": {"s3:ExistingObjectTag/owner": "${aws:PrincipalTag/team}"}}))],
     context={"s3:ExistingObjectTag/owner": "web"})
case(T, "var-null-in-stringnotequals-matches", "vars", "vars_null_cond", "ExplicitDeny", action="s3:GetObject", res=OBJ,
     identity=[ALL, pol(deny("s3:GetObject", "*", Condition={"StringNotEquals": {"s3:ExistingObjectTag/owner": "${aws:PrincipalTag/team}"}}))],
     context={"s3:ExistingObjectTag/owner": "web"}, why="The role has no team tag: StringNotEquals against the null value matches and the Deny applies.")
case(T, "var-resourcetag-matches-principaltag", "vars", "vars_replace", "Allow", action="lambda:UpdateFunctionCode", res=FN,
     identity=[pol(allow("lambda:UpdateFunctionCode", "*", Condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}))],
     context={"aws:ResourceTag/team": "orders", "aws:PrincipalTag/team": "orders"})
case(T, "var-resourcetag-other-team", "vars", "vars_replace", "ImplicitDeny", action="lambda:UpdateFunctionCode", res=FN,
     identity=[pol(allow("lambda:UpdateFunctionCode", "*", Condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}))],
     context={"aws:ResourceTag/team": "payments", "aws:PrincipalTag/team": "orders"})
case(T, "var-multivalued-key-not-a-variable", "vars", "vars_missing", "ImplicitDeny", action="s3:GetObject", res=BUCKET + "/env/x",
     identity=[pol(allow("s3:GetObject", BUCKET + "/${aws:TagKeys}/*"))], context={"aws:TagKeys": ["env"]},
     why="A multivalued key cannot be a policy variable; it has no single value, so the resource matches nothing.")

# =============================================================================== boundaries
T = "boundaries"
BOUND = pol(allow(["s3:*", "cloudwatch:*", "ec2:*"]))
case(T, "pb-both-allow", "boundary", "boundary_both", "Allow", action="s3:GetObject", res=OBJ, principal=USER,
     identity=[pol(allow("s3:GetObject"))], boundary=BOUND)
case(T, "pb-boundary-only-no-grant", "boundary", "boundary_not_grant", "ImplicitDeny", action="ec2:DescribeInstances", principal=USER,
     identity=[pol(allow("s3:*"))], boundary=BOUND, why="The boundary allows ec2 but no identity policy does.")
case(T, "pb-explicit-deny-in-boundary", "denyallow", "deny_anywhere", "ExplicitDeny", action="s3:DeleteBucket", res=BUCKET, principal=USER,
     identity=[ALL], boundary=pol(allow("*"), deny("s3:DeleteBucket")))
case(T, "pb-role-session-limited", "boundary", "boundary_both", "ImplicitDeny", action="iam:CreateRole", principal=SESSION,
     identity=[ALL], boundary=BOUND)
case(T, "pb-rbp-user-arn-not-limited", "denyallow", "rbp_user", "Allow", action="s3:GetObject", res=OBJ, principal=USER,
     identity=[], boundary=pol(allow("ec2:*")), resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": USER}))])
case(T, "pb-rbp-role-arn-limited", "denyallow", "rbp_role", "ImplicitDeny", action="s3:GetObject", res=OBJ, principal=SESSION,
     identity=[], boundary=pol(allow("ec2:*")), resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": ROLE}))])
case(T, "pb-rbp-role-arn-boundary-allows", "denyallow", "rbp_role", "Allow", action="s3:GetObject", res=OBJ, principal=SESSION,
     identity=[], boundary=pol(allow("s3:*")), resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": ROLE}))],
     why="The role-ARN grant stands in for the identity policy; the boundary allows.")
case(T, "pb-rbp-account-needs-identity", "principal", "rbp_account", "ImplicitDeny", action="s3:GetObject", res=OBJ, principal=SESSION,
     identity=[], boundary=pol(allow("s3:*")), resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": A}))])
case(T, "pb-rbp-account-with-identity", "principal", "rbp_account", "Allow", action="s3:GetObject", res=OBJ, principal=SESSION,
     identity=[pol(allow("s3:GetObject"))], boundary=pol(allow("s3:*")), resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": f"arn:aws:iam::{A}:root"}))])
case(T, "pb-rbp-session-arn-explicit-deny-in-boundary", "denyallow", "deny_anywhere", "ExplicitDeny", action="s3:GetObject", res=OBJ,
     principal=SESSION, boundary=pol(allow("*"), deny("s3:GetObject")),
     resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": SESSION}))], why="A direct grant escapes implicit denies, never explicit ones.")
case(T, "pb-notprincipal-deny-always-with-boundary", "boundary", "notprincipal_boundary", "ExplicitDeny", action="s3:GetObject", res=OBJ,
     principal=SESSION, identity=[pol(allow("s3:*"))], boundary=pol(allow("s3:*")),
     resource=[pol({"Effect": "Deny", "NotPrincipal": {"AWS": [SESSION, ROLE, f"arn:aws:iam::{A}:root"]}, "Action": "s3:*", "Resource": BUCKET + "/*"})])

# =============================================================================== sessions
T = "sessions"
case(T, "sess-both-allow", "session", "session_limit", "Allow", action="s3:GetObject", res=OBJ,
     identity=[pol(allow("s3:*"))], session=[pol(allow("s3:GetObject"))])
case(T, "sess-session-narrows", "session", "session_present", "ImplicitDeny", action="s3:PutObject", res=OBJ,
     identity=[pol(allow("s3:*"))], session=[pol(allow("s3:GetObject"))])
case(T, "sess-no-session-policy-role", "denyallow", "session_absent", "Allow", action="s3:PutObject", res=OBJ, identity=[pol(allow("s3:*"))])
case(T, "sess-federated-without-session-policy", "denyallow", "session_absent", "ImplicitDeny", action="s3:PutObject", res=OBJ,
     principal=FED, identity=[pol(allow("s3:*"))], why="A federated user session without a session policy has no permissions.")
case(T, "sess-federated-with-session-policy", "denyallow", "session_present", "Allow", action="s3:PutObject", res=OBJ,
     principal=FED, identity=[pol(allow("s3:*"))], session=[pol(allow("s3:PutObject"))])
case(T, "sess-deny-in-session", "denyallow", "deny_anywhere", "ExplicitDeny", action="s3:GetObject", res=OBJ,
     identity=[pol(allow("s3:*"))], session=[pol(allow("*"), deny("s3:GetObject"))])
case(T, "sess-two-session-policies-either", "session", "session_limit", "Allow", action="s3:GetObject", res=OBJ,
     identity=[pol(allow("s3:*"))], session=[pol(allow("sqs:*")), pol(allow("s3:GetObject"))])
case(T, "sess-rbp-role-arn-limited-by-session", "denyallow", "rbp_role", "ImplicitDeny", action="s3:GetObject", res=OBJ,
     session=[pol(allow("sqs:*"))], resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": ROLE}))])
case(T, "sess-rbp-session-arn-not-limited", "denyallow", "rbp_session", "Allow", action="s3:GetObject", res=OBJ,
     session=[pol(allow("sqs:*"))], resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": SESSION}))])
case(T, "sess-rbp-federated-direct", "denyallow", "rbp_fed", "Allow", action="s3:GetObject", res=OBJ, principal=FED,
     resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": FED}))])
case(T, "sess-session-cannot-expand-boundary", "session", "session_limit", "ImplicitDeny", action="ec2:RunInstances",
     identity=[ALL], boundary=pol(allow("s3:*")), session=[pol(allow("*"))])

# =============================================================================== resource-based
T = "resource_based"
RBP_SESSION = pol(allow("sqs:SendMessage", QUEUE, Principal={"AWS": SESSION}))
case(T, "rbp-same-account-rbp-only", "eval", "same_acct_either", "Allow", action="sqs:SendMessage", res=QUEUE, resource=[RBP_SESSION])
case(T, "rbp-same-account-identity-only", "eval", "same_acct_either", "Allow", action="sqs:SendMessage", res=QUEUE,
     identity=[pol(allow("sqs:SendMessage", QUEUE))], resource=[pol(allow("sqs:*", QUEUE, Principal={"AWS": f"arn:aws:iam::{A}:role/Other"}))])
case(T, "rbp-same-account-role-arn", "denyallow", "rbp_role", "Allow", action="sqs:SendMessage", res=QUEUE,
     resource=[pol(allow("sqs:SendMessage", QUEUE, Principal={"AWS": ROLE}))], why="No boundary or session policy limits the role-ARN grant.")
case(T, "rbp-role-arn-with-path-via-principalarn", "denyallow", "rbp_role", "Allow", action="sqs:SendMessage", res=QUEUE,
     context={"aws:PrincipalArn": f"arn:aws:iam::{A}:role/service/AppRole"},
     resource=[pol(allow("sqs:SendMessage", QUEUE, Principal={"AWS": f"arn:aws:iam::{A}:role/service/AppRole"}))])
case(T, "rbp-role-arn-other-role", "denyallow", "rbp_role", "ImplicitDeny", action="sqs:SendMessage", res=QUEUE,
     resource=[pol(allow("sqs:SendMessage", QUEUE, Principal={"AWS": f"arn:aws:iam::{A}:role/OtherRole"}))])
case(T, "rbp-same-account-root-principal-delegates", "principal", "rbp_account", "ImplicitDeny", action="sqs:SendMessage", res=QUEUE,
     resource=[pol(allow("sqs:SendMessage", QUEUE, Principal={"AWS": A}))])
case(T, "rbp-star-principal", "principal", "rbp_star", "Allow", action="s3:GetObject", res=OBJ, principal=USER,
     resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal="*"))])
case(T, "rbp-aws-star-principal", "principal", "rbp_star", "Allow", action="s3:GetObject", res=OBJ,
     resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": "*"}))])
case(T, "rbp-deny-in-rbp", "denyallow", "deny_anywhere", "ExplicitDeny", action="s3:DeleteObject", res=OBJ,
     identity=[ALL], resource=[pol(deny("s3:DeleteObject", BUCKET + "/*", Principal="*"))])
case(T, "rbp-deny-other-principal-no-effect", "denyallow", "deny_anywhere", "Allow", action="s3:DeleteObject", res=OBJ,
     identity=[ALL], resource=[pol(deny("s3:DeleteObject", BUCKET + "/*", Principal={"AWS": f"arn:aws:iam::{A}:user/mallory"}))])
case(T, "rbp-condition-sourcearn", "principal", "arn", "Allow", action="sqs:SendMessage", res=QUEUE,
     principal="sns.amazonaws.com", resource=[pol(allow("sqs:SendMessage", QUEUE, Principal={"Service": "sns.amazonaws.com"},
                                                       Condition={"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:eu-west-1:{A}:orders"}}))],
     context={"aws:SourceArn": f"arn:aws:sns:eu-west-1:{A}:orders"}, why="A service principal allowed by the queue policy for its source topic.")
case(T, "rbp-service-principal-other-source", "operators", "arn", "ImplicitDeny", action="sqs:SendMessage", res=QUEUE,
     principal="sns.amazonaws.com", resource=[pol(allow("sqs:SendMessage", QUEUE, Principal={"Service": "sns.amazonaws.com"},
                                                       Condition={"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:eu-west-1:{A}:orders"}}))],
     context={"aws:SourceArn": f"arn:aws:sns:eu-west-1:{B}:evil"})
case(T, "rbp-service-principal-not-named", "principal", "rbp_star", "ImplicitDeny", action="lambda:InvokeFunction", res=FN,
     principal="events.amazonaws.com", resource=[pol(allow("lambda:InvokeFunction", FN, Principal={"Service": "apigateway.amazonaws.com"}))],
     why="Only the named service principal is granted.")
case(T, "rbp-no-resource-element-trust", "denyallow", "trust_kms", "Allow", action="sts:AssumeRole", res=f"arn:aws:iam::{A}:role/Target",
     identity=[pol(allow("sts:AssumeRole"))], resource=[pol({"Effect": "Allow", "Principal": {"AWS": A}, "Action": "sts:AssumeRole"})],
     why="A trust policy (no Resource element) that trusts the account, plus an identity allow.")
case(T, "rbp-trust-policy-required", "denyallow", "trust_kms", "ImplicitDeny", action="sts:AssumeRole", res=f"arn:aws:iam::{A}:role/Target",
     identity=[pol(allow("sts:AssumeRole"))], resource=[pol({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})],
     why="The identity policy allows but the trust policy does not trust this principal.")
case(T, "rbp-kms-key-policy-required", "denyallow", "trust_kms", "ImplicitDeny", action="kms:Decrypt", res=KEY,
     identity=[pol(allow("kms:Decrypt"))], resource=[pol(allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{A}:role/KeyAdmin"}))])
case(T, "rbp-kms-root-enables-iam", "denyallow", "trust_kms", "Allow", action="kms:Decrypt", res=KEY,
     identity=[pol(allow("kms:Decrypt"))], resource=[pol(allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{A}:root"}))])
case(T, "rbp-kms-root-without-iam", "principal", "rbp_account", "ImplicitDeny", action="kms:Decrypt", res=KEY,
     resource=[pol(allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{A}:root"}))])
case(T, "rbp-kms-createkey-has-no-key-policy-yet", "eval", "id_or_rbp", "Allow", action="kms:CreateKey", res="*",
     identity=[pol(allow("kms:CreateKey"))], why="CreateKey acts on no existing key, so no key policy is weighed: the identity policy decides.")
case(T, "rbp-kms-role-grant", "denyallow", "rbp_role", "Allow", action="kms:Decrypt", res=KEY,
     resource=[pol(allow("kms:Decrypt", "*", Principal={"AWS": ROLE}))])
case(T, "rbp-notprincipal-excluded-all-three", "notprincipal", "notprincipal_account", "Allow", action="s3:GetObject", res=OBJ,
     identity=[pol(allow("s3:*"))], resource=[pol({"Effect": "Deny", "NotPrincipal": {"AWS": [SESSION, ROLE, f"arn:aws:iam::{A}:root"]},
                                                    "Action": "s3:*", "Resource": BUCKET + "/*"})])
case(T, "rbp-notprincipal-missing-account", "notprincipal", "notprincipal_account", "ExplicitDeny", action="s3:GetObject", res=OBJ,
     identity=[pol(allow("s3:*"))], resource=[pol({"Effect": "Deny", "NotPrincipal": {"AWS": [SESSION, ROLE]}, "Action": "s3:*", "Resource": BUCKET + "/*"})])
case(T, "rbp-notprincipal-other-user-denied", "notprincipal", "notprincipal_account", "ExplicitDeny", action="s3:GetObject", res=OBJ,
     principal=f"arn:aws:iam::{A}:user/mallory", identity=[pol(allow("s3:*"))],
     resource=[pol({"Effect": "Deny", "NotPrincipal": {"AWS": [USER, f"arn:aws:iam::{A}:root"]}, "Action": "s3:*", "Resource": BUCKET + "/*"})])
case(T, "rbp-notprincipal-user-excluded", "notprincipal", "notprincipal_account", "Allow", action="s3:GetObject", res=OBJ,
     principal=USER, identity=[pol(allow("s3:*"))],
     resource=[pol({"Effect": "Deny", "NotPrincipal": {"AWS": [USER, f"arn:aws:iam::{A}:root"]}, "Action": "s3:*", "Resource": BUCKET + "/*"})])

# =============================================================================== cross-account
T = "cross_account"
XBUCKET = "arn:aws:s3:::partner-bucket"
case(T, "xacct-both-allow-session", "xacct", "xacct_both", "Allow", action="s3:GetObject", res=XBUCKET + "/x", resource_account=B,
     identity=[pol(allow("s3:GetObject", XBUCKET + "/*"))], resource=[pol(allow("s3:GetObject", XBUCKET + "/*", Principal={"AWS": A}))])
case(T, "xacct-resource-only", "xacct", "xacct_both", "ImplicitDeny", action="s3:GetObject", res=XBUCKET + "/x", resource_account=B,
     resource=[pol(allow("s3:GetObject", XBUCKET + "/*", Principal={"AWS": SESSION}))], why="Even a session-ARN grant needs the caller's account to allow.")
case(T, "xacct-identity-only", "xacct", "xacct_both", "ImplicitDeny", action="s3:GetObject", res=XBUCKET + "/x", resource_account=B,
     identity=[pol(allow("s3:*"))])
case(T, "xacct-resource-names-other-account", "xacct", "xacct_both", "ImplicitDeny", action="s3:GetObject", res=XBUCKET + "/x", resource_account=B,
     identity=[pol(allow("s3:*"))], resource=[pol(allow("s3:GetObject", XBUCKET + "/*", Principal={"AWS": "999988887777"}))])
case(T, "xacct-role-arn-grant", "xacct", "xacct_both", "Allow", action="sqs:SendMessage", res=f"arn:aws:sqs:eu-west-1:{B}:inbox",
     principal=X_SESSION, identity=[pol(allow("sqs:SendMessage"))],
     resource=[pol(allow("sqs:SendMessage", f"arn:aws:sqs:eu-west-1:{B}:inbox", Principal={"AWS": X_ROLE}))])
case(T, "xacct-boundary-limits", "xacct", "xacct_both", "ImplicitDeny", action="s3:GetObject", res=XBUCKET + "/x", resource_account=B,
     identity=[pol(allow("s3:*"))], boundary=pol(allow("sqs:*")), resource=[pol(allow("s3:GetObject", XBUCKET + "/*", Principal={"AWS": A}))])
case(T, "xacct-scp-of-caller-applies", "xacct", "scp_allow", "ImplicitDeny", action="s3:GetObject", res=XBUCKET + "/x", resource_account=B,
     identity=[pol(allow("s3:*"))], resource=[pol(allow("s3:GetObject", XBUCKET + "/*", Principal={"AWS": A}))],
     scps=[[FULL_SCP], [pol(allow("ec2:*"))], [FULL_SCP]])
case(T, "xacct-deny-in-bucket-policy", "denyallow", "deny_anywhere", "ExplicitDeny", action="s3:GetObject", res=XBUCKET + "/x", resource_account=B,
     identity=[pol(allow("s3:*"))], resource=[pol(allow("s3:*", XBUCKET + "/*", Principal={"AWS": A}), deny("s3:GetObject", XBUCKET + "/*", Principal="*"))])
case(T, "xacct-user-cross", "xacct", "xacct_both", "Allow", action="sqs:SendMessage", res=f"arn:aws:sqs:eu-west-1:{B}:inbox", principal=USER,
     identity=[pol(allow("sqs:SendMessage"))], resource=[pol(allow("sqs:SendMessage", "*", Principal={"AWS": USER}))])
case(T, "xacct-kms-both", "xacct", "xacct_both", "Allow", action="kms:Decrypt", res=f"arn:aws:kms:eu-west-1:{B}:key/k1",
     identity=[pol(allow("kms:Decrypt"))], resource=[pol(allow("kms:Decrypt", "*", Principal={"AWS": f"arn:aws:iam::{A}:root"}))])
case(T, "xacct-assume-role", "xacct", "xacct_both", "Allow", action="sts:AssumeRole", res=f"arn:aws:iam::{B}:role/Deploy",
     identity=[pol(allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/Deploy"))],
     resource=[pol({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "sts:AssumeRole"})])
case(T, "xacct-assume-role-no-identity", "xacct", "xacct_both", "ImplicitDeny", action="sts:AssumeRole", res=f"arn:aws:iam::{B}:role/Deploy",
     resource=[pol({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "sts:AssumeRole"})])

# =============================================================================== SCPs
T = "scps"
case(T, "scp-full-access-everywhere", "scpeval", "scp_levels", "Allow", action="lambda:CreateFunction", res=FN, identity=[ALL], scps=scps())
for lvl, name in enumerate(["root", "ou", "account"]):
    levels = scps()
    levels[lvl] = [pol(allow(["ec2:*", "cloudwatch:*"]))]
    case(T, f"scp-missing-allow-at-{name}", "scpeval", "scp_levels", "ImplicitDeny", action="lambda:CreateFunction", res=FN, identity=[ALL], scps=levels)
    levels = scps((lvl, [pol(deny("lambda:DeleteFunction"))]))
    case(T, f"scp-deny-at-{name}", "denyallow", "deny_anywhere", "ExplicitDeny", action="lambda:DeleteFunction", res=FN, identity=[ALL], scps=levels)
case(T, "scp-does-not-grant", "scp", "scp_no_grant", "ImplicitDeny", action="lambda:CreateFunction", res=FN, scps=scps())
case(T, "scp-allow-list-ok", "scpeval", "scp_levels", "Allow", action="lambda:InvokeFunction", res=FN, identity=[ALL],
     scps=[[FULL_SCP], [pol(allow(["lambda:*", "logs:*"]))], [pol(allow("lambda:Invoke*"))]])
case(T, "scp-allow-list-narrower-at-account", "scpeval", "scp_levels", "ImplicitDeny", action="lambda:CreateFunction", res=FN, identity=[ALL],
     scps=[[FULL_SCP], [pol(allow(["lambda:*", "logs:*"]))], [pol(allow("lambda:Invoke*"))]])
case(T, "scp-applies-to-root-user", "scp", "scp_root", "ExplicitDeny", action="lambda:DeleteFunction", res=FN, principal=ROOT,
     scps=scps((1, [pol(deny("lambda:DeleteFunction"))])))
case(T, "scp-root-user-allowed-without-identity", "denyallow", "default_deny", "Allow", action="lambda:DeleteFunction", res=FN, principal=ROOT, scps=scps())
case(T, "scp-root-user-missing-allow", "scp", "scp_root", "ImplicitDeny", action="lambda:DeleteFunction", res=FN, principal=ROOT,
     scps=[[FULL_SCP], [pol(allow("ec2:*"))], [FULL_SCP]])
case(T, "scp-service-linked-role-exempt", "scp", "scp_slr", "Allow", action="lambda:DeleteFunction", res=FN,
     principal=f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForLambdaReplicator/s",
     context={"aws:PrincipalArn": f"arn:aws:iam::{A}:role/aws-service-role/replicator.lambda.amazonaws.com/AWSServiceRoleForLambdaReplicator"},
     identity=[ALL], scps=scps((0, [pol(deny("*"))])))
case(T, "scp-region-deny", "scp", "and_or", "ExplicitDeny", action="lambda:CreateFunction", res=f"arn:aws:lambda:us-east-1:{A}:function:f",
     identity=[ALL], context={"aws:RequestedRegion": "us-east-1"},
     scps=scps((1, [pol({"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*"], "Resource": "*",
                          "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}})])))
case(T, "scp-region-global-service-exempt", "scp", "notaction", "Allow", action="iam:ListRoles",
     identity=[ALL], context={"aws:RequestedRegion": "us-east-1"},
     scps=scps((1, [pol({"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*"], "Resource": "*",
                          "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}})])))
case(T, "scp-region-allowed", "scp", "and_or", "Allow", action="lambda:CreateFunction", res=FN,
     identity=[ALL], context={"aws:RequestedRegion": "eu-west-1"},
     scps=scps((1, [pol({"Effect": "Deny", "NotAction": ["iam:*"], "Resource": "*",
                          "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}})])))
case(T, "scp-region-missing-key-denies", "operators", "key_missing_neg", "ExplicitDeny", action="lambda:CreateFunction", res=FN,
     identity=[ALL], scps=scps((1, [pol({"Effect": "Deny", "NotAction": ["iam:*"], "Resource": "*",
                                         "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}})])),
     why="StringNotEquals on an absent aws:RequestedRegion is true: the region Deny applies.")
case(T, "scp-does-not-limit-resource-policy-grant", "denyallow", "scp_allow", "ImplicitDeny", action="s3:GetObject", res=OBJ,
     resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": SESSION}))], scps=[[FULL_SCP], [pol(allow("ec2:*"))], [FULL_SCP]],
     why="The SCP lacks an Allow for s3, so even a direct resource-policy grant is implicitly denied.")
case(T, "scp-service-principal-not-limited", "scp", "scp_no_grant", "Allow", action="sqs:SendMessage", res=QUEUE, principal="sns.amazonaws.com",
     resource=[pol(allow("sqs:SendMessage", QUEUE, Principal={"Service": "sns.amazonaws.com"}))], scps=scps((0, [pol(deny("sqs:*"))])),
     why="SCPs limit the IAM principals of member accounts; a service principal is not one.")
case(T, "scp-deny-with-tag-condition", "scp", "key_missing", "ExplicitDeny", action="lambda:CreateFunction", res=FN, identity=[ALL],
     context={"aws:RequestTag/env": "prod"},
     scps=scps((2, [pol(deny("lambda:CreateFunction", "*", Condition={"StringEquals": {"aws:RequestTag/env": "prod"},
                                                                       "StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci-*"}}))])))
case(T, "scp-deny-with-tag-condition-ci-exempt", "scp", "and_or", "Allow", action="lambda:CreateFunction", res=FN, identity=[ALL],
     principal=f"arn:aws:sts::{A}:assumed-role/ci-deployer/run-42", context={"aws:RequestTag/env": "prod"},
     scps=scps((2, [pol(deny("lambda:CreateFunction", "*", Condition={"StringEquals": {"aws:RequestTag/env": "prod"},
                                                                       "StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci-*"}}))])))

# =============================================================================== RCPs
T = "rcps"
def rcps(*extra):
    levels = [[FULL_RCP], [FULL_RCP], [FULL_RCP]]
    for lvl, docs in extra:
        levels[lvl] = levels[lvl] + list(docs)
    return levels


ORG_ONLY = pol({"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*", "kms:*"], "Resource": "*",
                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}})
case(T, "rcp-full-access-does-not-grant", "rcpsyntax", "rcp_full", "ImplicitDeny", action="s3:GetObject", res=OBJ, rcps=rcps())
case(T, "rcp-full-access-passes-through", "rcpsyntax", "rcp_full", "Allow", action="s3:GetObject", res=OBJ, identity=[pol(allow("s3:*"))], rcps=rcps())
case(T, "rcp-no-grant", "rcp", "rcp_no_grant", "ImplicitDeny", action="sqs:SendMessage", res=QUEUE, rcps=rcps())
case(T, "rcp-org-perimeter-external-denied", "rcp", "deny_anywhere", "ExplicitDeny", action="s3:GetObject", res=OBJ, principal=X_SESSION,
     resource_account=A, identity=[pol(allow("s3:*"))], resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": B}))],
     context={"aws:PrincipalOrgID": "o-zzzzzzzzzz", "aws:PrincipalIsAWSService": "false"}, rcps=rcps((0, [ORG_ONLY])))
case(T, "rcp-org-perimeter-internal-allowed", "rcp", "rcp_full", "Allow", action="s3:GetObject", res=OBJ,
     identity=[pol(allow("s3:*"))], context={"aws:PrincipalOrgID": "o-a1b2c3d4e5", "aws:PrincipalIsAWSService": "false"}, rcps=rcps((0, [ORG_ONLY])))
case(T, "rcp-org-perimeter-service-allowed", "rcp", "ifexists", "Allow", action="sqs:SendMessage", res=QUEUE, principal="sns.amazonaws.com",
     resource=[pol(allow("sqs:SendMessage", QUEUE, Principal={"Service": "sns.amazonaws.com"}))],
     context={"aws:PrincipalIsAWSService": "true"}, rcps=rcps((0, [ORG_ONLY])))
case(T, "rcp-applies-to-service-principal", "rcp", "deny_anywhere", "ExplicitDeny", action="sqs:SendMessage", res=QUEUE, principal="sns.amazonaws.com",
     resource=[pol(allow("sqs:SendMessage", QUEUE, Principal={"Service": "sns.amazonaws.com"}))],
     context={"aws:PrincipalIsAWSService": "true"},
     rcps=rcps((0, [pol({"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*",
                         "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}})])),
     why="RCPs restrict access to the organization's resources whoever calls; without an aws:PrincipalIsAWSService exemption the perimeter Deny applies to a service principal too.")
case(T, "rcp-unsupported-service-not-evaluated", "rcp", "rcp_subset", "Allow", action="lambda:InvokeFunction", res=FN,
     identity=[pol(allow("lambda:*"))], rcps=rcps((1, [pol({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"})])),
     why="Lambda is not among the services RCPs govern, so a deny-all RCP does not apply.")
case(T, "rcp-supported-service-deny-all", "rcp", "deny_anywhere", "ExplicitDeny", action="kms:Decrypt", res=KEY,
     identity=[pol(allow("kms:*"))], resource=[pol(allow("kms:*", "*", Principal={"AWS": A}))],
     rcps=rcps((1, [pol({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"})])))
case(T, "rcp-missing-full-access-level", "rcp", "rcp_full", "ImplicitDeny", action="s3:GetObject", res=OBJ, identity=[pol(allow("s3:*"))],
     rcps=[[FULL_RCP], [pol({"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": "*"})], [FULL_RCP]],
     why="A level whose RCPs contain no Allow (RCPFullAWSAccess detached in the case) passes nothing.")
case(T, "rcp-deny-secure-transport", "rcp", "bool", "ExplicitDeny", action="s3:GetObject", res=OBJ, identity=[pol(allow("s3:*"))],
     context={"aws:SecureTransport": "false"},
     rcps=rcps((2, [pol({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}})])))
case(T, "rcp-deny-secure-transport-tls-ok", "rcp", "bool", "Allow", action="s3:GetObject", res=OBJ, identity=[pol(allow("s3:*"))],
     context={"aws:SecureTransport": "true"},
     rcps=rcps((2, [pol({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}})])))

# =============================================================================== serverless guardrails
T = "serverless"
CSC = f"arn:aws:lambda:eu-west-1:{A}:code-signing-config:csc-0123456789abcdef0"
CODESIGN_SCP = pol({"Sid": "DenyCreateWithoutSigning", "Effect": "Deny", "Action": "lambda:CreateFunction", "Resource": "*",
                    "Condition": {"Null": {"lambda:CodeSigningConfigArn": "true"}}},
                   {"Sid": "DenyOtherSigningConfig", "Effect": "Deny", "Action": ["lambda:CreateFunction", "lambda:PutFunctionCodeSigningConfig"],
                    "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"lambda:CodeSigningConfigArn": [CSC]}}},
                   {"Sid": "DenyRemoveSigning", "Effect": "Deny", "Action": "lambda:DeleteFunctionCodeSigningConfig", "Resource": "*"})
case(T, "sls-create-with-allowed-csc", "codesign", "codesign_null", "Allow", action="lambda:CreateFunction", res=FN,
     identity=[ALL], scps=scps((1, [CODESIGN_SCP])), context={"lambda:CodeSigningConfigArn": CSC})
case(T, "sls-create-without-csc", "codesign", "codesign_null", "ExplicitDeny", action="lambda:CreateFunction", res=FN,
     identity=[ALL], scps=scps((1, [CODESIGN_SCP])))
case(T, "sls-create-with-other-csc", "operators", "string_equals", "ExplicitDeny", action="lambda:CreateFunction", res=FN,
     identity=[ALL], scps=scps((1, [CODESIGN_SCP])), context={"lambda:CodeSigningConfigArn": CSC.replace("0123", "9999")})
case(T, "sls-put-csc-allowed", "operators", "ifexists", "Allow", action="lambda:PutFunctionCodeSigningConfig", res=FN,
     identity=[ALL], scps=scps((1, [CODESIGN_SCP])), context={"lambda:CodeSigningConfigArn": CSC})
case(T, "sls-delete-csc-denied", "denyallow", "deny_anywhere", "ExplicitDeny", action="lambda:DeleteFunctionCodeSigningConfig", res=FN,
     identity=[ALL], scps=scps((1, [CODESIGN_SCP])))
case(T, "sls-update-code-not-covered", "denyallow", "deny_anywhere", "Allow", action="lambda:UpdateFunctionCode", res=FN,
     identity=[ALL], scps=scps((1, [CODESIGN_SCP])), why="None of the code-signing Denies names UpdateFunctionCode.")
PASS = pol(allow("iam:PassRole", f"arn:aws:iam::{A}:role/app-*", Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}))
case(T, "sls-passrole-to-lambda", "passrole", "passrole", "Allow", action="iam:PassRole", res=f"arn:aws:iam::{A}:role/app-orders",
     identity=[PASS], context={"iam:PassedToService": "lambda.amazonaws.com"})
case(T, "sls-passrole-to-ec2", "passrole", "passrole", "ImplicitDeny", action="iam:PassRole", res=f"arn:aws:iam::{A}:role/app-orders",
     identity=[PASS], context={"iam:PassedToService": "ec2.amazonaws.com"})
case(T, "sls-passrole-admin-role", "passrole", "passrole", "ImplicitDeny", action="iam:PassRole", res=f"arn:aws:iam::{A}:role/Admin",
     identity=[PASS], context={"iam:PassedToService": "lambda.amazonaws.com"})
URL_DENY = pol(deny(["lambda:CreateFunctionUrlConfig", "lambda:UpdateFunctionUrlConfig"], "*",
                    Condition={"StringNotEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"}}))
case(T, "sls-url-none-denied", "operators", "string_equals", "ExplicitDeny", action="lambda:CreateFunctionUrlConfig", res=FN,
     identity=[ALL, URL_DENY], context={"lambda:FunctionUrlAuthType": "NONE"})
case(T, "sls-url-iam-allowed", "operators", "string_equals", "Allow", action="lambda:CreateFunctionUrlConfig", res=FN,
     identity=[ALL, URL_DENY], context={"lambda:FunctionUrlAuthType": "AWS_IAM"})
TAGS = pol(deny(["lambda:CreateFunction", "sqs:CreateQueue"], "*", Condition={"Null": {"aws:RequestTag/owner": "true"}}),
           deny(["lambda:CreateFunction", "sqs:CreateQueue"], "*", Condition={"StringNotEquals": {"aws:RequestTag/env": ["dev", "prod"]}}))
case(T, "sls-tags-present", "operators", "null", "Allow", action="sqs:CreateQueue", res=QUEUE, identity=[ALL, TAGS],
     context={"aws:RequestTag/owner": "orders", "aws:RequestTag/env": "prod", "aws:TagKeys": ["owner", "env"]})
case(T, "sls-tags-owner-missing", "operators", "null", "ExplicitDeny", action="sqs:CreateQueue", res=QUEUE, identity=[ALL, TAGS],
     context={"aws:RequestTag/env": "prod", "aws:TagKeys": ["env"]})
case(T, "sls-tags-env-bad-value", "operators", "key_missing_neg", "ExplicitDeny", action="lambda:CreateFunction", res=FN, identity=[ALL, TAGS],
     context={"aws:RequestTag/owner": "orders", "aws:RequestTag/env": "staging", "aws:TagKeys": ["owner", "env"]})
PROTECT = pol(deny(["lambda:UntagResource", "sqs:UntagQueue"], "*", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner", "data-classification"]}}))
case(T, "sls-untag-protected", "multi", "forany", "ExplicitDeny", action="lambda:UntagResource", res=FN, identity=[ALL, PROTECT],
     context={"aws:TagKeys": ["data-classification"]})
case(T, "sls-untag-other", "multi", "forany", "Allow", action="lambda:UntagResource", res=FN, identity=[ALL, PROTECT], context={"aws:TagKeys": ["scratch"]})
case(T, "sls-invoke-via-apigw-permission", "principal", "arn", "Allow", action="lambda:InvokeFunction", res=FN, principal="apigateway.amazonaws.com",
     resource=[pol(allow("lambda:InvokeFunction", FN, Principal={"Service": "apigateway.amazonaws.com"},
                         Condition={"ArnLike": {"AWS:SourceArn": f"arn:aws:execute-api:eu-west-1:{A}:a1b2c3/*/POST/orders"}}))],
     context={"aws:SourceArn": f"arn:aws:execute-api:eu-west-1:{A}:a1b2c3/prod/POST/orders"})
case(T, "sls-invoke-via-apigw-other-api", "operators", "arn", "ImplicitDeny", action="lambda:InvokeFunction", res=FN, principal="apigateway.amazonaws.com",
     resource=[pol(allow("lambda:InvokeFunction", FN, Principal={"Service": "apigateway.amazonaws.com"},
                         Condition={"ArnLike": {"AWS:SourceArn": f"arn:aws:execute-api:eu-west-1:{A}:a1b2c3/*/POST/orders"}}))],
     context={"aws:SourceArn": f"arn:aws:execute-api:eu-west-1:{B}:zzz/prod/POST/orders"})
BOUND_CI = pol(allow(["lambda:*", "iam:PassRole", "iam:CreateRole"], "*"),
               deny(["iam:CreateRole", "iam:PutRolePermissionsBoundary"], "*",
                    Condition={"StringNotEquals": {"iam:PermissionsBoundary": f"arn:aws:iam::{A}:policy/app-boundary"}}),
               deny(["iam:DeleteRolePermissionsBoundary", "iam:CreateUser", "iam:CreateAccessKey"], "*"))
CI = f"arn:aws:sts::{A}:assumed-role/ci-deployer/run-1"
case(T, "sls-ci-create-role-with-boundary", "boundary", "boundary_both", "Allow", action="iam:CreateRole", res=f"arn:aws:iam::{A}:role/app-x",
     principal=CI, identity=[ALL], boundary=BOUND_CI, context={"iam:PermissionsBoundary": f"arn:aws:iam::{A}:policy/app-boundary"})
case(T, "sls-ci-create-role-without-boundary", "operators", "key_missing_neg", "ExplicitDeny", action="iam:CreateRole", res=f"arn:aws:iam::{A}:role/app-x",
     principal=CI, identity=[ALL], boundary=BOUND_CI)
case(T, "sls-ci-delete-boundary", "denyallow", "deny_anywhere", "ExplicitDeny", action="iam:DeleteRolePermissionsBoundary", res=f"arn:aws:iam::{A}:role/app-x",
     principal=CI, identity=[ALL], boundary=BOUND_CI)
case(T, "sls-ci-attach-policy-not-in-boundary", "boundary", "boundary_both", "ImplicitDeny", action="iam:AttachRolePolicy", res=f"arn:aws:iam::{A}:role/ci-deployer",
     principal=CI, identity=[ALL], boundary=BOUND_CI)
case(T, "sls-ci-create-access-key", "denyallow", "deny_anywhere", "ExplicitDeny", action="iam:CreateAccessKey", res=f"arn:aws:iam::{A}:user/admin",
     principal=CI, identity=[ALL], boundary=BOUND_CI)

# =============================================================================== principals and root
T = "principals"
case(T, "root-own-account-full-access", "denyallow", "default_deny", "Allow", action="s3:DeleteBucket", res=BUCKET, principal=ROOT)
case(T, "root-own-account-explicit-deny-rbp", "denyallow", "deny_anywhere", "ExplicitDeny", action="s3:DeleteBucket", res=BUCKET, principal=ROOT,
     resource=[pol(deny("s3:DeleteBucket", BUCKET, Principal="*"))])
case(T, "root-cross-account-needs-rbp", "xacct", "xacct_both", "ImplicitDeny", action="s3:GetObject", res="arn:aws:s3:::partner-bucket/x",
     principal=ROOT, resource_account=B)
case(T, "root-cross-account-with-rbp", "xacct", "xacct_both", "Allow", action="s3:GetObject", res="arn:aws:s3:::partner-bucket/x",
     principal=ROOT, resource_account=B, resource=[pol(allow("s3:GetObject", "*", Principal={"AWS": A}))])
case(T, "principal-user-arn-grant-other-user", "principal", "rbp_user", "ImplicitDeny", action="s3:GetObject", res=OBJ,
     principal=f"arn:aws:iam::{A}:user/bob", resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": USER}))])
case(T, "principal-session-arn-other-session", "principal", "rbp_session", "ImplicitDeny", action="s3:GetObject", res=OBJ,
     principal=f"arn:aws:sts::{A}:assumed-role/AppRole/other-session", resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": SESSION}))],
     why="A session-ARN grant names one session; other sessions of the role are not granted.")
case(T, "principal-role-arn-any-session", "denyallow", "rbp_role", "Allow", action="s3:GetObject", res=OBJ,
     principal=f"arn:aws:sts::{A}:assumed-role/AppRole/other-session", resource=[pol(allow("s3:GetObject", BUCKET + "/*", Principal={"AWS": ROLE}))])
case(T, "principal-arn-condition-role", "keys", "arn", "Allow", action="s3:GetObject", res=OBJ,
     identity=[pol(allow("s3:GetObject", "*", Condition={"ArnEquals": {"aws:PrincipalArn": ROLE}}))],
     why="For a role session aws:PrincipalArn is the role's ARN.")
case(T, "principal-account-condition", "keys", "string_equals", "Allow", action="s3:GetObject", res=OBJ,
     identity=[pol(allow("s3:GetObject", "*", Condition={"StringEquals": {"aws:PrincipalAccount": A}}))])
case(T, "principal-type-condition", "keys", "string_equals", "ImplicitDeny", action="s3:GetObject", res=OBJ, principal=USER,
     identity=[pol(allow("s3:GetObject", "*", Condition={"StringEquals": {"aws:PrincipalType": "AssumedRole"}}))],
     why="An IAM user's aws:PrincipalType is User.")
case(T, "principal-resource-account-condition", "keys", "string_equals", "ExplicitDeny", action="sqs:SendMessage", res=f"arn:aws:sqs:eu-west-1:{B}:inbox",
     identity=[ALL, pol(deny("sqs:*", "*", Condition={"StringNotEquals": {"aws:ResourceAccount": A}}))],
     resource=[pol(allow("sqs:SendMessage", "*", Principal={"AWS": A}))], why="aws:ResourceAccount is the queue owner's account.")

# =============================================================================== NotPrincipal with Allow
T = "principals"
NP_BUCKET = pol({"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{A}:user/bob"}, "Action": "s3:GetObject", "Resource": BUCKET + "/*"})
case(T, "notprincipal-allow-grants-everyone-else", "notprincipal", "notprincipal_allow", "Allow", action="s3:GetObject", res=OBJ,
     principal=USER, resource=[NP_BUCKET], why="alice is not named, so the statement grants her directly; she has no identity policy.")
case(T, "notprincipal-allow-not-the-named-user", "notprincipal", "notprincipal_allow", "ImplicitDeny", action="s3:GetObject", res=OBJ,
     principal=f"arn:aws:iam::{A}:user/bob", resource=[NP_BUCKET])
case(T, "notprincipal-allow-grants-anonymous", "notprincipal", "notprincipal_allow", "Allow", action="s3:GetObject", res=OBJ,
     principal="*", resource_account=A, resource=[NP_BUCKET])
case(T, "notprincipal-allow-cross-account-needs-identity", "xacct", "xacct_both", "ImplicitDeny", action="s3:GetObject", res=OBJ,
     principal=X_SESSION, resource_account=A, resource=[NP_BUCKET], why="The bucket grants the partner session, which has no identity policy.")
case(T, "notprincipal-allow-cross-account-with-identity", "notprincipal", "notprincipal_allow", "Allow", action="s3:GetObject", res=OBJ,
     principal=X_SESSION, resource_account=A, identity=[pol(allow("s3:GetObject"))], resource=[NP_BUCKET])
case(T, "notprincipal-allow-listed-account-excludes-its-sessions", "notprincipal", "notprincipal_allow", "ImplicitDeny", action="s3:GetObject",
     res=OBJ, resource=[pol({"Effect": "Allow", "NotPrincipal": {"AWS": A}, "Action": "s3:GetObject", "Resource": BUCKET + "/*"})],
     why="Read fail-closed: a session whose account (or role) is listed is not granted by an Allow with NotPrincipal.")

# =============================================================================== AWS's service-side rules
T = "service_rules"
ADMIN = pol(allow("*"))
SLR = f"arn:aws:iam::{A}:role/aws-service-role/lambda.amazonaws.com/AWSServiceRoleForLambdaReplicator"
SSO_ROLE = f"arn:aws:iam::{A}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef"
case(T, "gci-allowed-despite-explicit-deny", "stsapi", "getcalleridentity", "Allow", action="sts:GetCallerIdentity",
     identity=[ADMIN, pol(deny("sts:GetCallerIdentity"))])
case(T, "gci-allowed-without-any-policy", "stsapi", "getcalleridentity", "Allow", action="sts:GetCallerIdentity", principal=USER)
case(T, "gci-allowed-under-deny-all-scp-and-boundary", "stsapi", "getcalleridentity", "Allow", action="sts:GetCallerIdentity",
     boundary=pol(allow("s3:GetObject")), scps=scps((2, [pol(deny("*"))])))
for act in ("iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:UpdateAssumeRolePolicy",
            "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary"):
    case(T, f"slr-admin-cannot-{act.split(':')[1].lower()}", "slr", "slr_edit", "ExplicitDeny", action=act, res=SLR, identity=[ADMIN],
         why="An administrator allowed everything still cannot change a service-linked role's permissions.")
case(T, "slr-root-cannot-attach-policy", "slr", "slr_edit", "ExplicitDeny", action="iam:AttachRolePolicy", res=SLR, principal=ROOT)
case(T, "slr-description-can-be-edited", "slr", "slr_description", "Allow", action="iam:UpdateRoleDescription", res=SLR, identity=[ADMIN])
case(T, "slr-can-be-viewed", "slr", "slr_edit", "Allow", action="iam:GetRole", res=SLR, identity=[ADMIN])
case(T, "slr-policy-cannot-be-attached-elsewhere", "slr", "slr_policy", "ExplicitDeny", action="iam:AttachRolePolicy",
     res=f"arn:aws:iam::{A}:role/app-orders", identity=[ADMIN],
     context={"iam:PolicyARN": "arn:aws:iam::aws:policy/aws-service-role/AWSLambdaReplicator"})
case(T, "slr-other-aws-policy-can-be-attached", "managed", "managed_fixed", "Allow", action="iam:AttachRolePolicy",
     res=f"arn:aws:iam::{A}:role/app-orders", identity=[ADMIN], context={"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
     why="Attaching an AWS managed policy changes the role, not the policy.")
for act in ("iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole", "iam:UpdateRole"):
    case(T, f"sso-role-cannot-{act.split(':')[1].lower()}", "sso", "sso_protected", "ExplicitDeny", action=act, res=SSO_ROLE,
         identity=[ADMIN])
case(T, "sso-role-can-be-viewed", "sso", "sso_protected", "Allow", action="iam:GetRole", res=SSO_ROLE, identity=[ADMIN])
case(T, "sso-service-linked-role-manages-its-roles", "sso", "sso_protected", "Allow", action="iam:PutRolePolicy", res=SSO_ROLE,
     principal=f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForSSO/sso-session",
     context={"aws:PrincipalArn": f"arn:aws:iam::{A}:role/aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO"},
     identity=[pol(allow("iam:PutRolePolicy", "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"))],
     why="The rule binds customers; Identity Center changes these roles through its own service-linked role.")
for act in ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy"):
    case(T, f"aws-managed-policy-{act.split(':')[1].lower()}", "managed", "managed_fixed", "ExplicitDeny", action=act,
         res="arn:aws:iam::aws:policy/AdministratorAccess", resource_account=A, identity=[ADMIN])
case(T, "customer-managed-policy-can-change", "managed", "managed_fixed", "Allow", action="iam:CreatePolicyVersion",
     res=f"arn:aws:iam::{A}:policy/app-boundary", identity=[ADMIN], why="Only AWS managed policies are fixed.")

# =============================================================================== session tags and source identity
T = "session_tags"
TARGET = f"arn:aws:iam::{A}:role/Target"
TAGS = {"aws:RequestTag/Project": "Automation", "aws:RequestTag/Department": "Engineering", "aws:TagKeys": ["Project", "Department"]}
TRUST_ASSUME = pol({"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "sts:AssumeRole"})
TRUST_TAGS = pol({"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "sts:AssumeRole"},
                 {"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "sts:TagSession",
                  "Condition": {"StringEquals": {"aws:RequestTag/Department": ["Engineering", "Marketing"]},
                                "ForAllValues:StringEquals": {"sts:TransitiveTagKeys": ["Project", "Department"]}}})
case(T, "tags-trust-without-tagsession", "sesstags", "tagsession_trust", "ImplicitDeny", action="sts:AssumeRole", res=TARGET,
     principal=USER, resource=[TRUST_ASSUME], context=TAGS)
case(T, "tags-none-trust-without-tagsession", "sesstags", "tagsession", "Allow", action="sts:AssumeRole", res=TARGET,
     principal=USER, resource=[TRUST_ASSUME], why="Without session tags sts:TagSession is not needed.")
case(T, "tags-trust-allows-tagsession", "sesstags", "tagsession_trust", "Allow", action="sts:AssumeRole", res=TARGET,
     principal=USER, resource=[TRUST_TAGS], context=TAGS)
case(T, "tags-trust-condition-on-tag-value", "sesstags", "tagsession_trust", "ImplicitDeny", action="sts:AssumeRole", res=TARGET,
     principal=USER, resource=[TRUST_TAGS], context={**TAGS, "aws:RequestTag/Department": "Sales"},
     why="The trust policy lets the user pass only Engineering or Marketing as Department.")
case(T, "tags-transitive-key-not-allowed", "sesstags", "tagsession_keys", "ImplicitDeny", action="sts:AssumeRole", res=TARGET,
     principal=USER, resource=[TRUST_TAGS], context={**TAGS, "sts:TransitiveTagKeys": ["Project", "CostCenter"]})
case(T, "tags-transitive-keys-allowed", "sesstags", "tagsession_keys", "Allow", action="sts:AssumeRole", res=TARGET,
     principal=USER, resource=[TRUST_TAGS], context={**TAGS, "sts:TransitiveTagKeys": ["Project"]})
case(T, "tags-denied-by-scp", "sesstags", "tagsession", "ExplicitDeny", action="sts:AssumeRole", res=TARGET, principal=USER,
     resource=[TRUST_TAGS], context=TAGS, scps=scps((1, [pol(deny("sts:TagSession"))])))
X_TARGET = f"arn:aws:iam::{B}:role/Deploy"
X_TRUST_TAGS = pol({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": ["sts:AssumeRole", "sts:TagSession"]})
case(T, "tags-cross-account-identity-must-allow-tagsession", "sesstags", "tagsession", "ImplicitDeny", action="sts:AssumeRole",
     res=X_TARGET, identity=[pol(allow("sts:AssumeRole", X_TARGET))], resource=[X_TRUST_TAGS], context=TAGS)
case(T, "tags-cross-account-both-allow", "sesstags", "tagsession", "Allow", action="sts:AssumeRole", res=X_TARGET,
     identity=[pol(allow(["sts:AssumeRole", "sts:TagSession"], X_TARGET))], resource=[X_TRUST_TAGS], context=TAGS)
DEV = f"arn:aws:iam::{A}:user/DevUser"
DEV_ROLE = f"arn:aws:iam::{A}:role/Developer_Role"
DEV_TRUST = pol({"Effect": "Allow", "Principal": {"AWS": DEV}, "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
                 "Condition": {"StringEquals": {"sts:SourceIdentity": "DevUser"}}})
DEV_IDENTITY = pol(allow("sts:AssumeRole", DEV_ROLE),
                   allow("sts:SetSourceIdentity", DEV_ROLE, Condition={"StringLike": {"sts:SourceIdentity": "${aws:username}"}}))
case(T, "srcid-trust-without-setsourceidentity", "sourceid", "sourceid", "ImplicitDeny", action="sts:AssumeRole", res=DEV_ROLE,
     principal=DEV, resource=[pol({"Effect": "Allow", "Principal": {"AWS": DEV}, "Action": "sts:AssumeRole"})],
     context={"sts:SourceIdentity": "DevUser"})
case(T, "srcid-doc-example-own-name", "sourceid", "sourceid", "Allow", action="sts:AssumeRole", res=DEV_ROLE, principal=DEV,
     identity=[DEV_IDENTITY], resource=[DEV_TRUST], context={"sts:SourceIdentity": "DevUser"})
case(T, "srcid-doc-example-other-name", "sourceid", "sourceid", "ImplicitDeny", action="sts:AssumeRole", res=DEV_ROLE, principal=DEV,
     identity=[DEV_IDENTITY], resource=[DEV_TRUST], context={"sts:SourceIdentity": "Admin"})
CHAIN_TRUST = pol({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]})
case(T, "srcid-role-chaining-needs-identity", "sourceid", "sourceid_chain", "ImplicitDeny", action="sts:AssumeRole", res=TARGET,
     identity=[pol(allow("sts:AssumeRole", TARGET))], resource=[CHAIN_TRUST], context={"sts:SourceIdentity": "alice"})
case(T, "srcid-role-chaining-both-allow", "sourceid", "sourceid_chain", "Allow", action="sts:AssumeRole", res=TARGET,
     identity=[pol(allow(["sts:AssumeRole", "sts:SetSourceIdentity"], TARGET))], resource=[CHAIN_TRUST], context={"sts:SourceIdentity": "alice"})
case(T, "srcid-role-chaining-without-source-identity", "denyallow", "rbp_role", "Allow", action="sts:AssumeRole", res=TARGET,
     resource=[CHAIN_TRUST], why="Without a source identity the trust policy naming the role grants as before.")
case(T, "srcid-cross-account-trust-must-allow", "sourceid", "sourceid_xacct", "ImplicitDeny", action="sts:AssumeRole", res=X_TARGET,
     identity=[pol(allow(["sts:AssumeRole", "sts:SetSourceIdentity"], X_TARGET))],
     resource=[pol({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "sts:AssumeRole"})], context={"sts:SourceIdentity": "alice"})

# =============================================================================== KMS aliases
T = "kms_aliases"
KEY_POLICY_ACCOUNT = pol(allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{A}:root"}))
ALPHA_DEV = f"arn:aws:sts::{A}:assumed-role/alpha-developer/s1"
ALPHA_KEY_POLICY = pol(allow(["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], "*",
                             Principal={"AWS": f"arn:aws:iam::{A}:role/alpha-developer"},
                             Condition={"StringLike": {"kms:RequestAlias": "alias/*alpha*"}}))
ALIAS = f"arn:aws:kms:eu-west-1:{A}:alias/project-alpha"
case(T, "kms-request-alias-name-matches", "kmsalias", "kms_request_alias", "Allow", action="kms:Decrypt", res=KEY, principal=ALPHA_DEV,
     resource=[ALPHA_KEY_POLICY], context={"kms:RequestAlias": "alias/project-alpha"})
case(T, "kms-request-alias-arn-matches", "kmskeys", "kms_request_alias", "Allow", action="kms:DescribeKey", res=KEY, principal=ALPHA_DEV,
     resource=[ALPHA_KEY_POLICY], context={"kms:RequestAlias": ALIAS}, why="The request named the key by its alias ARN.")
case(T, "kms-request-by-key-arn-fails-alias-condition", "kmskeys", "kms_request_alias", "ImplicitDeny", action="kms:Decrypt", res=KEY,
     principal=ALPHA_DEV, resource=[ALPHA_KEY_POLICY], why="The request used the key ARN, not an alias.")
case(T, "kms-request-other-alias", "kmskeys", "kms_request_alias", "ImplicitDeny", action="kms:Decrypt", res=KEY, principal=ALPHA_DEV,
     resource=[ALPHA_KEY_POLICY], context={"kms:RequestAlias": "alias/project-beta"})
case(T, "kms-request-alias-not-for-alias-operations", "kmskeys", "kms_request_alias_ops", "ImplicitDeny", action="kms:CreateAlias",
     res=ALIAS, identity=[pol(allow("kms:CreateAlias", "*", Condition={"StringLike": {"kms:RequestAlias": "alias/*"}}))],
     context={"kms:RequestAlias": "alias/project-alpha"}, why="An alias operation carries no kms:RequestAlias.")
RESTRICTED = pol(allow(["kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:GetKeyRotationStatus"],
                       [f"arn:aws:kms:*:{A}:key/*", f"arn:aws:kms:*:{B}:key/*"],
                       Condition={"ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/restricted*"}}))
case(T, "kms-resource-aliases-key-has-alias", "kmsalias", "kms_resource_aliases", "Allow", action="kms:EnableKeyRotation", res=KEY,
     identity=[RESTRICTED], resource=[KEY_POLICY_ACCOUNT], context={"kms:ResourceAliases": ["alias/restricted-project", "alias/other"]},
     why="The request names the key by its ID; the key's aliases decide.")
case(T, "kms-resource-aliases-from-request-alias", "kmsalias", "kms_resource_aliases", "Allow", action="kms:EnableKeyRotation", res=KEY,
     identity=[RESTRICTED], resource=[KEY_POLICY_ACCOUNT], context={"kms:RequestAlias": "alias/restricted-project"},
     why="The alias that names the key in the request is one of the key's aliases.")
case(T, "kms-resource-aliases-no-match", "kmsalias", "kms_resource_aliases", "ImplicitDeny", action="kms:EnableKeyRotation", res=KEY,
     identity=[RESTRICTED], resource=[KEY_POLICY_ACCOUNT], context={"kms:ResourceAliases": ["alias/other"]})
case(T, "kms-resource-aliases-any-value-no-aliases", "kmskeys", "kms_anyvalue", "ImplicitDeny", action="kms:EnableKeyRotation", res=KEY,
     identity=[RESTRICTED], resource=[KEY_POLICY_ACCOUNT])
ALL_TEST = pol(allow(["kms:EnableKey", "kms:DisableKey"], f"arn:aws:kms:*:{A}:key/*",
                     Condition={"ForAllValues:StringLike": {"kms:ResourceAliases": "alias/*Test*"}}))
case(T, "kms-resource-aliases-all-values-match", "kmskeys", "kms_allvalues", "Allow", action="kms:DisableKey", res=KEY,
     identity=[ALL_TEST], resource=[KEY_POLICY_ACCOUNT], context={"kms:ResourceAliases": ["alias/Test1", "alias/ProjectTest"]})
case(T, "kms-resource-aliases-all-values-one-other", "kmskeys", "kms_allvalues", "ImplicitDeny", action="kms:DisableKey", res=KEY,
     identity=[ALL_TEST], resource=[KEY_POLICY_ACCOUNT], context={"kms:ResourceAliases": ["alias/Test1", "alias/prod"]})
case(T, "kms-alias-in-resource-element-not-the-key", "kmsalias", "kms_resource_alias", "ImplicitDeny", action="kms:Decrypt", res=KEY,
     identity=[pol(allow("kms:Decrypt", ALIAS))], resource=[KEY_POLICY_ACCOUNT], context={"kms:RequestAlias": "alias/project-alpha"})
case(T, "kms-key-operation-on-alias-arn-is-invalid", "kmsalias", "kms_resource_alias", "ImplicitDeny", action="kms:Decrypt", res=ALIAS,
     identity=[pol(allow("kms:Decrypt", ALIAS))], why="KMS authorizes Decrypt on the key: a request on the alias ARN is refused as invalid.")
TEST_ALIAS = f"arn:aws:kms:eu-west-1:{A}:alias/test-key"
ALIAS_IAM = pol(allow(["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"], TEST_ALIAS))
case(T, "kms-create-alias-on-the-alias", "kmsaliasaccess", "kms_alias_both", "Allow", action="kms:CreateAlias", res=TEST_ALIAS,
     principal=USER, identity=[ALIAS_IAM], why="The alias part, authorized by the IAM policy (aliases have no resource policy).")
case(T, "kms-create-other-alias", "kmsaliasaccess", "kms_alias_both", "ImplicitDeny", action="kms:CreateAlias",
     res=f"arn:aws:kms:eu-west-1:{A}:alias/prod-key", principal=USER, identity=[ALIAS_IAM])
case(T, "kms-create-alias-on-the-key-needs-key-policy", "kmsaliasaccess", "kms_alias_keypolicy", "ImplicitDeny", action="kms:CreateAlias",
     res=KEY, principal=USER, identity=[pol(allow("kms:CreateAlias"))],
     resource=[pol(allow(["kms:CreateAlias", "kms:DescribeKey"], "*", Principal={"AWS": f"arn:aws:iam::{A}:user/KMSAdminUser"}))])
case(T, "kms-create-alias-on-the-key-key-policy-allows", "kmsaliasaccess", "kms_alias_keypolicy", "Allow", action="kms:CreateAlias",
     res=KEY, principal=f"arn:aws:iam::{A}:user/KMSAdminUser",
     resource=[pol(allow(["kms:CreateAlias", "kms:DescribeKey"], "*", Principal={"AWS": f"arn:aws:iam::{A}:user/KMSAdminUser"}))])


def write(check: bool) -> int:
    ids = [c["id"] for cs in CASES.values() for c in cs]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        print(f"duplicate case ids: {sorted(dupes)}", file=sys.stderr)
        return 1
    stale = []
    OUT.mkdir(exist_ok=True)
    expected_files = {f"{topic}.json" for topic in CASES}
    for topic, cases in CASES.items():
        path = OUT / f"{topic}.json"
        text = json.dumps(cases, indent=1) + "\n"
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(path.name)
        else:
            path.write_text(text)
    extra = sorted(p.name for p in OUT.glob("*.json") if p.name not in expected_files)
    if check and (stale or extra):
        print(f"stale case files (run python tools/iam_cases.py): {', '.join(stale + extra)}", file=sys.stderr)
        return 1
    if not check:
        for name in extra:
            (OUT / name).unlink()
        print(f"{len(ids)} cases in {len(CASES)} files under {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(write("--check" in sys.argv))
