"""The theorems of AWS's evaluation logic, as property tests over generated policy sets."""

from __future__ import annotations

import copy

from hypothesis import given
from hypothesis import strategies as st

from prr_policies.iam import PolicyError, Request, parse_policy, policy_set
from tests.strategies import FULL_ACCESS, iam_policy_set, iam_request, iam_statement

RCP_SERVICES = {"s3", "sts", "kms", "sqs", "secretsmanager", "cognito-identity", "logs", "dynamodb", "ecr", "aoss"}


def decide(policies, request):
    return policy_set(copy.deepcopy(policies)).evaluate(request).effect


def _stmts(doc):
    return doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]


@given(iam_policy_set(), iam_request(), st.sampled_from(["identity", "resource", "boundary", "session", "scp", "rcp"]), st.data())
def test_explicit_deny_wins(policies, request, layer, data):
    """"An explicit deny in any policy overrides any allows": a Deny that matches the request,
    added to any layer that applies to it, decides ExplicitDeny."""
    service = request.action.split(":")[0]
    if layer == "rcp" and (not policies["rcps"] or service not in RCP_SERVICES):
        layer = "identity"
    if layer == "scp" and not policies["scps"]:
        layer = "identity"
    stmt = {"Effect": "Deny", "Action": request.action, "Resource": "*"}
    p = copy.deepcopy(policies)
    if layer == "resource":
        p["resource"].append({"Version": "2012-10-17", "Statement": [{**stmt, "Principal": "*"}]})
    elif layer == "rcp":
        lvl = data.draw(st.integers(0, len(p["rcps"]) - 1))
        p["rcps"][lvl].append({"Version": "2012-10-17", "Statement": [{**stmt, "Principal": "*"}]})
    elif layer == "scp":
        lvl = data.draw(st.integers(0, len(p["scps"]) - 1))
        p["scps"][lvl].append({"Version": "2012-10-17", "Statement": [stmt]})
    elif layer == "boundary":
        p["boundary"] = p["boundary"] or copy.deepcopy(FULL_ACCESS)
        _stmts(p["boundary"]).append(stmt)
    elif layer == "session":
        p["session"].append({"Version": "2012-10-17", "Statement": [stmt]})
    else:
        p["identity"].append({"Version": "2012-10-17", "Statement": [stmt]})
    assert decide(p, request) == "ExplicitDeny"


@given(iam_policy_set(effect="Deny"), iam_request())
def test_no_allow_means_deny(policies, request):
    """"By default, all requests are implicitly denied": with no Allow statement anywhere no
    request by an IAM user or role session is allowed."""
    assert decide(policies, request) != "Allow"


@given(iam_policy_set(), iam_request(), st.randoms(use_true_random=False))
def test_statement_order_and_duplicates_do_not_matter(policies, request, rnd):
    """Policies are sets of statements: shuffling statements and policies, and repeating
    statements, changes no decision."""
    before = decide(policies, request)
    p = copy.deepcopy(policies)
    docs = [*p["identity"], *p["resource"], *p["session"], *(d for lvl in p["scps"] + p["rcps"] for d in lvl)]
    if p["boundary"]:
        docs.append(p["boundary"])
    for d in docs:
        stmts = _stmts(d)
        stmts += [copy.deepcopy(rnd.choice(stmts)) for _ in range(rnd.randint(0, 2))]
        rnd.shuffle(stmts)
        d["Statement"] = stmts
    for key in ("identity", "resource", "session"):
        rnd.shuffle(p[key])
    for lvl in p["scps"] + p["rcps"]:
        rnd.shuffle(lvl)
    assert decide(p, request) == before


def _with_statement(policies, layer, stmt, data):
    """A copy of ``policies`` with ``stmt`` added to ``layer`` (to identity when that layer is
    absent, so the policy set keeps its shape)."""
    p = copy.deepcopy(policies)
    if layer == "scp" and p["scps"]:
        p["scps"][data.draw(st.integers(0, len(p["scps"]) - 1))].append({"Version": "2012-10-17", "Statement": [stmt]})
    elif layer == "boundary" and p["boundary"]:
        _stmts(p["boundary"]).append(stmt)
    elif layer == "session" and p["session"]:
        _stmts(p["session"][0]).append(stmt)
    elif layer == "resource":
        p["resource"].append({"Version": "2012-10-17", "Statement": [{**stmt, "Principal": "*"}]})
    else:
        p["identity"].append({"Version": "2012-10-17", "Statement": [stmt]})
    return p


@given(iam_policy_set(), iam_request(), iam_statement(effect="Deny"), st.sampled_from(["scp", "boundary", "session", "identity", "resource"]), st.data())
def test_adding_a_deny_never_grants(policies, request, stmt, layer, data):
    """Adding a Deny statement anywhere never turns a deny into an Allow (and never turns an
    ExplicitDeny into anything else)."""
    before = decide(policies, request)
    after = decide(_with_statement(policies, layer, stmt, data), request)
    if before != "Allow":
        assert after != "Allow"
    if before == "ExplicitDeny":
        assert after == "ExplicitDeny"


@given(iam_policy_set(), iam_request(), iam_statement(), st.sampled_from(["scp", "boundary", "session"]), st.data())
def test_guardrails_never_grant(policies, request, stmt, layer, data):
    """SCPs, boundaries and session policies "limit permissions ... but do not grant": whatever
    statement is added to one of them, a request it allows is also allowed with every guardrail
    lifted (no SCP, no RCP, no boundary, an allow-all session policy)."""
    p = _with_statement(policies, layer, stmt, data)
    if decide(p, request) == "Allow":
        lifted = {**copy.deepcopy(p), "scps": [], "rcps": [], "boundary": None,
                  "session": [copy.deepcopy(FULL_ACCESS)] if p["session"] else []}
        assert decide(lifted, request) == "Allow"


@given(iam_policy_set(), st.lists(iam_request(), min_size=1, max_size=8))
def test_compiling_twice_gives_the_same_answers(policies, requests):
    """A compiled policy set is a pure function: two compilations, and repeated evaluation on
    one compilation (its caches warm), answer alike."""
    one, two = policy_set(copy.deepcopy(policies)), policy_set(copy.deepcopy(policies))
    first = [one.evaluate(r) for r in requests]
    assert [two.evaluate(r) for r in requests] == first
    assert [one.evaluate(r) for r in requests] == first


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)
_keys = st.sampled_from(["Version", "Statement", "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource",
                         "Principal", "NotPrincipal", "Condition", "AWS", "Service", "StringEquals", "ForAnyValue:StringLike",
                         "NumericLessThan", "DateLessThan", "IpAddress", "Bool", "Null", "BinaryEquals", "ArnLike"])
_policyish = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.sampled_from(
    ["2012-10-17", "2008-10-17", "Allow", "Deny", "*", "s3:*", "arn:aws:s3:::b/*", "10.0.0.0/8", "2020-01-01", "true"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=5), max_leaves=25)


@given(st.one_of(_json, _policyish), st.sampled_from(["identity", "resource", "boundary", "session", "scp", "rcp"]))
def test_parser_never_crashes(doc, kind):
    """Arbitrary JSON either parses or raises the typed PolicyError, never anything else."""
    try:
        parse_policy(doc, kind)
    except PolicyError as exc:
        assert exc.path and exc.reason


@given(iam_policy_set(), st.text(max_size=20), st.text(max_size=20), st.dictionaries(st.text(max_size=10),
       st.one_of(st.text(max_size=10), st.lists(st.text(max_size=5), max_size=3)), max_size=4))
def test_evaluation_never_raises(policies, principal, action, context):
    """Whatever the request, evaluation returns a Decision; a malformed one is a deny."""
    d = policy_set(policies).evaluate(Request(principal, action, "*", context=context))
    assert d.effect in ("Allow", "ExplicitDeny", "ImplicitDeny")
    if d.errors:
        assert d.effect != "Allow"


def test_theorem_inputs_are_not_vacuous():
    """The generated policy sets produce every effect, so the theorems above are exercised."""
    from hypothesis import Phase, find, settings

    for effect in ("Allow", "ExplicitDeny", "ImplicitDeny"):
        found = find(st.tuples(iam_policy_set(), iam_request()), lambda pr, e=effect: decide(*pr) == e,
                     settings=settings(max_examples=2000, database=None, phases=[Phase.generate]))
        assert decide(*found) == effect


# ---- AWS's service-side rules and permissions-only actions (issue 12) ------------------------

from prr_policies.iam.engine import SERVICE_RULES  # noqa: E402
from tests.strategies import IAM_ACCOUNT, IAM_PRINCIPALS  # noqa: E402

_OWNED_BY_AWS = [  # (rule, resource, extra context): what no customer principal may change
    ("service-linked-role", f"arn:aws:iam::{IAM_ACCOUNT}:role/aws-service-role/lambda.amazonaws.com/AWSServiceRoleForLambdaReplicator", {}),
    ("service-linked-role", f"arn:aws:iam::{IAM_ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForELB", {}),
    ("identity-center-role", f"arn:aws:iam::{IAM_ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123", {}),
    ("aws-managed-policy", "arn:aws:iam::aws:policy/AdministratorAccess", {}),
    ("aws-managed-policy", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", {}),
    ("service-linked-role-policy", f"arn:aws:iam::{IAM_ACCOUNT}:role/app-orders",
     {"iam:PolicyARN": "arn:aws:iam::aws:policy/aws-service-role/AWSLambdaReplicator"}),
]
_CUSTOMERS = IAM_PRINCIPALS + [f"arn:aws:iam::{IAM_ACCOUNT}:root", f"arn:aws:sts::{IAM_ACCOUNT}:federated-user/carol"]
_EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}


@st.composite
def _change_to_what_aws_owns(draw):
    rule, resource, ctx = draw(st.sampled_from(_OWNED_BY_AWS))
    action = draw(st.sampled_from(sorted(SERVICE_RULES[rule].actions)))
    principal = draw(st.sampled_from(_CUSTOMERS))
    return rule, Request(principal, action, resource, principal.split(":")[4], IAM_ACCOUNT, ctx)


@given(iam_policy_set(), _change_to_what_aws_owns(), st.booleans())
def test_no_policy_lets_a_customer_change_what_aws_owns(policies, change, grant_everything):
    """"An IAM administrator can view, but not edit the permissions for service-linked roles";
    Identity Center roles are "only modifiable by AWS"; "You cannot change the permissions
    defined in AWS managed policies." Whatever the policies (even every layer allowing
    everything), no customer principal changes them: the decision is the rule's ExplicitDeny."""
    rule, request = change
    p = copy.deepcopy(policies)
    if grant_everything:
        p["identity"].append(copy.deepcopy(FULL_ACCESS))
        p["resource"].append(copy.deepcopy(_EVERYTHING))
        p["boundary"], p["session"], p["scps"], p["rcps"] = None, [], [], []
    d = policy_set(p).evaluate(request)
    assert d.effect == "ExplicitDeny" and d.rule == rule, d.explain()


@given(iam_policy_set(), st.sampled_from(_CUSTOMERS))
def test_get_caller_identity_needs_no_permission(policies, principal):
    """"No permissions are required to perform this operation. If an administrator adds a policy
    to your IAM user or role that explicitly denies access to the sts:GetCallerIdentity action,
    you can still perform this operation.\""""
    p = copy.deepcopy(policies)
    p["identity"].append({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
    assert decide(p, Request(principal, "sts:GetCallerIdentity")) == "Allow"


_STS_PATTERNS = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity", "sts:*", "*", "sts:Assume*"]
_TRUSTED = [{"AWS": IAM_ACCOUNT}, {"AWS": f"arn:aws:iam::{IAM_ACCOUNT}:role/AppRole"}, {"AWS": IAM_PRINCIPALS[2]}, "*",
            {"AWS": "444455556666"}]


@st.composite
def _trust_statement(draw):
    s = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"])), "Principal": draw(st.sampled_from(_TRUSTED)),
         "Action": draw(st.lists(st.sampled_from(_STS_PATTERNS), min_size=1, max_size=3))}
    if draw(st.booleans()):
        s["Condition"] = draw(st.sampled_from([
            {"StringEquals": {"aws:RequestTag/team": "web"}}, {"ForAllValues:StringEquals": {"sts:TransitiveTagKeys": ["team"]}},
            {"StringEquals": {"sts:SourceIdentity": "alice"}}, {"Null": {"sts:SourceIdentity": "false"}}]))
    return s


@given(st.lists(_trust_statement(), min_size=1, max_size=4), st.lists(_trust_statement(), max_size=3),
       st.sampled_from(_CUSTOMERS[:4]), st.booleans(), st.booleans(), st.sampled_from(["web", "data"]))
def test_permissions_only_actions_must_each_be_allowed(trust, identity, principal, tags, source, team):
    """Session tags and a source identity need "the following permissions-only action in your
    policy" in addition to sts:AssumeRole. Whatever the trust and identity policies: assuming the
    role with them is allowed only if sts:TagSession / sts:SetSourceIdentity on the role (same
    request context) is allowed too; a companion's explicit deny denies the request explicitly;
    without them the decision is AssumeRole's own."""
    role = f"arn:aws:iam::{IAM_ACCOUNT}:role/Target"
    ident = [{"Version": "2012-10-17", "Statement": [{k: v for k, v in s.items() if k != "Principal"} | {"Resource": "*"}]}
             for s in identity]
    ps = policy_set({"identity": ident, "resource": [{"Version": "2012-10-17", "Statement": trust}]})
    extra = ({"aws:RequestTag/team": team, "aws:TagKeys": ["team"]} if tags else {}) | ({"sts:SourceIdentity": "alice"} if source else {})
    account = principal.split(":")[4]
    loaded = ps.evaluate(Request(principal, "sts:AssumeRole", role, account, IAM_ACCOUNT, extra))
    needed = [a for a, asked in (("sts:TagSession", tags), ("sts:SetSourceIdentity", source)) if asked]
    companions = [ps.evaluate(Request(principal, a, role, account, IAM_ACCOUNT, extra)).effect for a in needed]
    if loaded.allowed:
        assert all(e == "Allow" for e in companions), loaded.explain()
    if "ExplicitDeny" in companions:
        assert loaded.effect == "ExplicitDeny"
    if any(e != "Allow" for e in companions):
        assert not loaded.allowed
    if not needed:
        assert loaded.effect == ps.evaluate(Request(principal, "sts:AssumeRole", role, account, IAM_ACCOUNT, {})).effect
