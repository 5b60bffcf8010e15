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
