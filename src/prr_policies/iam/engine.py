"""AWS's policy evaluation logic, one named step per layer.

``PolicySet(...).evaluate(request) -> Decision``. The order follows "Policy evaluation logic"
and "Cross-account policy evaluation logic" in the IAM User Guide:

0. ``aws``: the service-side rules AWS applies whatever the policies say (:data:`SERVICE_RULES`):
   customers cannot change service-linked roles, Identity Center roles or AWS managed policies;
   sts:GetCallerIdentity needs no permission.
1. ``deny``: an explicit ``Deny`` in any applicable policy (RCPs, SCPs, resource-based,
   identity-based, permissions boundary, session) decides ``ExplicitDeny``.
2. ``rcp``: every RCP level (root, each OU, account) must allow; RCPs apply to the resource's
   account, only for the services RCPs support, to every caller (AWS service principals too:
   AWS's perimeter examples exempt them with ``aws:PrincipalIsAWSService``) but not to
   service-linked roles.
3. ``scp``: every SCP level must allow; SCPs apply to IAM principals of member accounts, not
   to service-linked roles or service principals.
4. ``resource``: within one account, a resource-based policy that names the IAM user, the role
   session or the federated user session grants directly (no implicit deny in the identity
   policy, boundary or session policy limits it); one that names the role ARN stands in for
   the identity policy but is limited by the boundary and session policy; one that names the
   account delegates to the identity policy. Across accounts both sides must allow. Role trust
   policies and KMS key policies must always allow.
5. ``identity``, 6. ``boundary``, 7. ``session`` (a role session without a session policy
   passes; a federated user session without one has no permissions).
8. permissions-only actions: assuming a role with session tags or a source identity also needs
   sts:TagSession / sts:SetSourceIdentity, each evaluated like the request itself (the role's
   trust policy must allow them).

The request context gets the keys AWS derives (``aws:PrincipalArn``, ``aws:PrincipalAccount``,
``aws:PrincipalType``, ``aws:username``, ``aws:ResourceAccount``; for KMS, ``kms:RequestAlias``
as an alias name and in ``kms:ResourceAliases``); a KMS request on an alias ARN for anything but
an alias operation is an invalid request (KMS authorizes it on the key).

Any error while evaluating (a context value the operator cannot read, an internal fault) gives
a deny carrying the error; never an allow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

from prr_policies.errors import InputError
from prr_policies.iam.conditions import ConditionError
from prr_policies.iam.model import Policy, PrincipalSpec, Statement, parse_policy

ALLOW, EXPLICIT_DENY, IMPLICIT_DENY = "Allow", "ExplicitDeny", "ImplicitDeny"

# Services whose resources RCPs govern (AWS Organizations, "List of AWS services that support
# RCPs"). Requests to other services are not evaluated against RCPs.
RCP_SERVICES = frozenset({"s3", "sts", "kms", "sqs", "secretsmanager", "cognito-identity", "logs",
                          "dynamodb", "ecr", "aoss"})
# Role trust policies and KMS key policies "must explicitly allow access for principals".
_TRUST_ACTIONS = frozenset({"sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity"})
# "In addition to the action that matches the API operation, you must have the following
# permissions-only action in your policy": sts:TagSession when the request passes session tags,
# sts:SetSourceIdentity when it sets a source identity. On a role, its trust policy must allow them.
_SESSION_TAGS, _SOURCE_IDENTITY = "sts:TagSession", "sts:SetSourceIdentity"
_TRUST_COMPANIONS = frozenset({_SESSION_TAGS.lower(), _SOURCE_IDENTITY.lower()})
_ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/")

# KMS: "It applies to operations that use an alias to identify a KMS key in a request, namely
# cryptographic operations, DescribeKey, and GetPublicKey." (kms:RequestAlias)
_KMS_REQUEST_ALIAS_ACTIONS = frozenset(f"kms:{a}" for a in (
    "decrypt", "encrypt", "generatedatakey", "generatedatakeypair", "generatedatakeypairwithoutplaintext",
    "generatedatakeywithoutplaintext", "generatemac", "reencryptfrom", "reencryptto", "sign", "verify", "verifymac",
    "derivesharedsecret", "describekey", "getpublickey"))
# "principals who manage aliases must have permission to call the alias operation on the alias and
# on all affected KMS keys": the only operations authorized on an alias resource.
_KMS_ALIAS_ACTIONS = frozenset({"kms:createalias", "kms:updatealias", "kms:deletealias"})
_KMS_ALIAS_ARN_RE = re.compile(r"^arn:aws[a-z-]*:kms:[^:]*:\d{12}:(alias/.+)$")
_KMS_KEY_ARN_RE = re.compile(r"^arn:aws[a-z-]*:kms:[^:]*:\d{12}:key/.+$")

_ARN_RE = re.compile(r"^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)$")


@dataclass(frozen=True, slots=True)
class Principal:
    kind: str  # user | role | session | federated | root | service | anonymous
    arn: str
    account: str | None
    role_arn: str | None = None  # sessions: the role's ARN, when known with its path
    role_name: str | None = None
    user_name: str | None = None
    service_linked: bool = False


@lru_cache(maxsize=4096)
def parse_principal(arn: str, principal_arn_key: str | None = None) -> Principal:
    """A request's principal from its ARN (or a service principal name, or ``*`` for
    anonymous). ``principal_arn_key`` is the request's ``aws:PrincipalArn`` when given: for a
    role session it is the role ARN with its path."""
    if arn in ("*", "anonymous"):
        return Principal("anonymous", "*", None)
    if not arn.startswith("arn:") and arn.endswith(".amazonaws.com"):
        return Principal("service", arn.lower(), None)
    m = _ARN_RE.match(arn)
    if not m:
        raise ValueError(f"{arn!r} is not a principal ARN (IAM user, role or root; STS assumed-role or federated-user session), a service principal or \"*\"")
    partition, svc, account, rest = m.groups()
    if svc == "iam":
        if rest == "root":
            return Principal("root", arn, account)
        if rest.startswith("user/"):
            return Principal("user", arn, account, user_name=rest.rsplit("/", 1)[-1])
        if rest.startswith("role/"):
            return Principal("role", arn, account, role_arn=arn, role_name=rest.rsplit("/", 1)[-1],
                             service_linked=rest.startswith("role/aws-service-role/"))
    else:
        if rest.startswith("assumed-role/"):
            parts = rest.split("/")
            if len(parts) >= 3 and parts[1] and parts[2]:
                role_name = parts[1]
                role_arn = principal_arn_key if principal_arn_key and principal_arn_key.rsplit("/", 1)[-1] == role_name else None
                linked = bool(role_arn and ":role/aws-service-role/" in role_arn) or role_name.startswith("AWSServiceRoleFor")
                return Principal("session", arn, account, role_arn=role_arn, role_name=role_name, service_linked=linked)
        elif rest.startswith("federated-user/") and len(rest) > len("federated-user/"):
            return Principal("federated", arn, account, user_name=rest.split("/", 1)[1])
    raise ValueError(f"{arn!r} is not a principal ARN this engine knows (user, role, root, assumed-role, federated-user)")


@dataclass(frozen=True, slots=True)
class Request:
    """One authorization request. ``context`` keys are matched case-insensitively; values are
    strings (a multivalued key is a list of strings)."""

    principal: str
    action: str
    resource: str = "*"
    principal_account: str | None = None
    resource_account: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StatementRef:
    kind: str
    level: int | None
    policy_index: int
    index: int
    sid: str | None
    effect: str

    def __str__(self) -> str:
        lvl = f"[{self.level}]" if self.level is not None else ""
        sid = f" ({self.sid})" if self.sid else ""
        return f"{self.kind}{lvl}[{self.policy_index}].Statement[{self.index}]{sid}: {self.effect}"


@dataclass(frozen=True, slots=True)
class Decision:
    """``effect`` is Allow, ExplicitDeny or ImplicitDeny. ``blocked_by`` names the layers that
    denied (``scp[1]``, ``boundary``...); ``statements`` the statements that decided (the
    matching denies, or the allows that carried each required layer); ``errors`` anything that
    went wrong (and forced a deny); ``rule`` the AWS service-side rule that decided, whatever the
    policies say (see :data:`SERVICE_RULES`), when one did."""

    effect: str
    blocked_by: tuple[str, ...] = ()
    statements: tuple[StatementRef, ...] = ()
    errors: tuple[str, ...] = ()
    rule: str = ""

    @property
    def allowed(self) -> bool:
        return self.effect == ALLOW

    def explain(self) -> str:
        lines = [self.effect + (f" (blocked by: {', '.join(self.blocked_by)})" if self.blocked_by else "")]
        lines += [f"  {s}" for s in self.statements]
        lines += [f"  error: {e}" for e in self.errors]
        if self.rule:
            lines.append(f"  aws rule: {self.rule}: {SERVICE_RULES[self.rule].doc}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        out = {"effect": self.effect, "blocked_by": list(self.blocked_by),
               "statements": [str(s) for s in self.statements], "errors": list(self.errors)}
        if self.rule:
            out["rule"] = self.rule
        return out


def _ref(s: Statement) -> StatementRef:
    ref = s.ref
    if ref is None:
        ref = s.ref = StatementRef(s.kind, s.level, s.policy_index, s.index, s.sid, "Allow" if s.allow else "Deny")
    return ref


class _Layer:
    """The statements of one policy layer, with a cache of the statements whose Action or
    NotAction matches an action (a pure function of the action string)."""

    __slots__ = ("name", "statements", "_cache")

    def __init__(self, name: str, policies: Sequence[Policy]):
        self.name = name
        self.statements = tuple(s for p in policies for s in p.statements)
        self._cache: dict = {}

    def candidates(self, action_l: str) -> tuple[Statement, ...]:
        found = self._cache.get(action_l)
        if found is None:
            found = tuple(s for s in self.statements if s.matches_action(action_l))
            if len(self._cache) >= 65536:
                self._cache.clear()
            self._cache[action_l] = found
        return found




class _Req:
    """A request as the steps read it: lower-cased action and context keys, the principal, the
    keys AWS derives, and whether one side (identity or resource policy) may grant alone."""

    __slots__ = ("action_l", "service", "resource", "ctx", "principal", "within_account", "has_boundary", "errors")

    def __init__(self, request: Request, has_boundary: bool):
        if not isinstance(request.action, str) or ":" not in request.action:
            raise ValueError(f"action {request.action!r} is not \"service:Action\"")
        self.action_l = request.action.lower()
        self.service = self.action_l.split(":", 1)[0]
        self.resource = request.resource
        ctx: dict[str, Any] = {}
        for k, v in request.context.items():
            if type(v) is not str:
                v = _context_value(v)
            ctx[k.lower()] = v
        pa = ctx.get("aws:principalarn")
        p, defaults = _principal_defaults(request.principal, pa if type(pa) is str else None)
        if request.principal_account and p.account and request.principal_account != p.account:
            raise ValueError(f"principal_account {request.principal_account} is not the account of {request.principal}")
        for k, v in defaults:  # keys AWS puts in every signed request, unless the request gives them
            if k not in ctx:
                ctx[k] = v
        if request.resource_account and "aws:resourceaccount" not in ctx:
            ctx["aws:resourceaccount"] = request.resource_account
        if self.service == "kms":
            _kms_alias_keys(request.action, self.action_l, self.resource, ctx)
        self.ctx = ctx
        self.principal = p
        ra = request.resource_account
        # Within one account either side may grant; across accounts both must. "When you assume a
        # role with another role ... permissions for sts:SetSourceIdentity are required in both
        # the permissions policy of the principal who is assuming the role and in the role trust
        # policy of the target role": such a request needs both sides too.
        self.within_account = (p.account is not None and (not ra or ra == p.account)
                               and not (self.action_l == "sts:setsourceidentity" and p.kind == "session"))
        self.has_boundary = has_boundary
        self.errors: list[str] = []


def _kms_alias_keys(action: str, action_l: str, resource: str, ctx: dict[str, Any]) -> None:
    """KMS aliases, as AWS KMS documents them:

    - a request is authorized on the KMS key, not the alias: "These features do not allow you to
      identify a KMS key by using an alias in the resource element of a policy statement. When an
      alias is the value of a resource element, the policy applies to the alias resource, not to
      any KMS key that might be associated with it." Only CreateAlias, UpdateAlias and DeleteAlias
      are authorized on an alias; any other action on an alias ARN is an invalid request (give the
      key's ARN, and the alias as ``kms:RequestAlias``);
    - ``kms:RequestAlias`` holds the alias name: "the value of the KeyId parameter in the request
      must be a matching alias name or alias ARN" (an alias ARN given here becomes its name); it
      exists only for cryptographic operations, DescribeKey and GetPublicKey ("You cannot use this
      condition key to control access to alias operations");
    - ``kms:ResourceAliases`` is the key's aliases, given by the caller ("the KMS key used in the
      operation must have the specified alias. It does not matter whether or how the KMS key is
      identified in the request"); the alias that names the key in a request is one of them, for
      any operation on the key."""
    alias = _KMS_ALIAS_ARN_RE.match(resource)
    if alias and action_l not in _KMS_ALIAS_ACTIONS:
        raise ValueError(f"{action} is authorized on the KMS key, not on the alias {alias.group(1)}: give the key's ARN "
                         "as the resource and the alias as kms:RequestAlias")
    named = ctx.get("kms:requestalias")
    if type(named) is not str:
        return
    arn = _KMS_ALIAS_ARN_RE.match(named)
    named = ctx["kms:requestalias"] = arn.group(1) if arn else named
    if _KMS_KEY_ARN_RE.match(resource):
        aliases = ctx.get("kms:resourcealiases")
        aliases = [] if aliases is None else [aliases] if type(aliases) is str else list(aliases)
        if named not in aliases:
            ctx["kms:resourcealiases"] = aliases + [named]
    if action_l not in _KMS_REQUEST_ALIAS_ACTIONS:
        del ctx["kms:requestalias"]


def _context_value(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return [x if type(x) is str else _context_value(x) for x in v]
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


@lru_cache(maxsize=4096)
def _principal_defaults(arn: str, principal_arn_key: str | None) -> tuple[Principal, tuple]:
    p = parse_principal(arn, principal_arn_key)
    if p.kind in ("service", "anonymous"):
        return p, ()
    if p.kind == "session":
        arn_key = p.role_arn or f"arn:aws:iam::{p.account}:role/{p.role_name}"
    else:
        arn_key = p.arn
    ptype = {"user": "User", "root": "Account", "federated": "FederatedUser"}.get(p.kind, "AssumedRole")
    defaults = [("aws:principalarn", arn_key), ("aws:principalaccount", p.account), ("aws:principaltype", ptype)]
    if p.kind == "user":
        defaults.append(("aws:username", p.user_name))
    return p, tuple(defaults)


def _principal_grant(spec: PrincipalSpec, req: _Req) -> str | None:
    """How a resource-policy Principal names the requester: "direct" (the user, the session,
    everyone), "role" (the role of a session), "account" (its account), or None."""
    principal = req.principal
    if spec.everyone:
        return "direct"
    if principal.kind == "service":
        return "direct" if principal.arn in spec.services else None
    if principal.kind == "anonymous":
        return None
    if principal.arn in spec.arns:
        return "role" if principal.kind == "role" else "direct"
    if principal.kind == "session" and _names_role(spec, principal):
        return "role"
    if principal.account in spec.accounts:
        return "account"
    return None


def _names_role(spec: PrincipalSpec, principal: Principal) -> bool:
    if principal.role_arn is not None:
        return principal.role_arn in spec.arns
    prefix = f"arn:aws:iam::{principal.account}:role/"
    return any(a.startswith(prefix) and a.rsplit("/", 1)[-1] == principal.role_name for a in spec.arns)


def _not_principal_applies(spec: PrincipalSpec, req: _Req) -> bool:
    """A Deny+NotPrincipal applies unless the requester and everything it acts for (its role,
    for a session; its account) are listed: AWS "might validate the account first, then the
    role, and then the assumed-role user". It "will always deny any IAM principal that has a
    permissions boundary policy attached"."""
    principal = req.principal
    if req.has_boundary and principal.kind in ("user", "role", "session"):
        return True
    if spec.everyone:
        return False
    if principal.kind == "service":
        return principal.arn not in spec.services
    if principal.kind == "anonymous":
        return True
    if principal.account not in spec.accounts:
        return True
    if principal.kind == "root":
        return False
    if principal.kind == "session":
        return not (principal.arn in spec.arns and _names_role(spec, principal))
    return principal.arn not in spec.arns


def _not_principal_grant(spec: PrincipalSpec, req: _Req) -> str | None:
    """An Allow+NotPrincipal "allows all principals except the one named in the NotPrincipal
    element" (anonymous callers too), directly like ``Principal: "*"``. AWS does not say how it
    matches a session against the list for an Allow; read fail-closed, a requester is excluded
    when it, its role (for a session) or its account is listed."""
    principal = req.principal
    if spec.everyone:
        return None
    if principal.kind == "service":
        return None if principal.arn in spec.services else "direct"
    if principal.kind == "anonymous":
        return "direct"
    listed = (principal.arn in spec.arns or principal.account in spec.accounts
              or (principal.kind == "session" and _names_role(spec, principal)))
    return None if listed else "direct"


def _scan(layer: _Layer, req: _Req) -> tuple[list, list]:
    """Statements of a layer that apply: (allows, denies). Resource-policy allows come as
    (statement, grant) pairs."""
    allows: list = []
    denies: list = []
    ctx = req.ctx
    resource = req.resource
    for s in layer.candidates(req.action_l):
        if not s.matches_resource(resource, ctx):
            continue
        grant = None
        if s.principal is not None:
            if s.not_principal:
                if s.allow:
                    grant = _not_principal_grant(s.principal, req)
                    if grant is None:
                        continue
                elif not _not_principal_applies(s.principal, req):
                    continue
            else:
                grant = _principal_grant(s.principal, req)
                if grant is None:
                    continue
        try:
            ok = True
            for c in s.conditions:
                if not c.holds(ctx):
                    ok = False
                    break
        except ConditionError as exc:
            req.errors.append(f"{s.label}: Condition {exc}")
            continue
        if not ok:
            continue
        if s.allow:
            allows.append((s, grant) if layer.name == "resource" else s)
        else:
            denies.append(s)
    return allows, denies


# ---- AWS's service-side rules -------------------------------------------------------------

@dataclass(frozen=True)
class ServiceRule:
    """A rule AWS applies whatever the policies say: to ``actions`` on a resource matching
    ``resource`` (or, with ``policy_arn``, when the request's ``iam:PolicyARN`` matches it), by
    any caller but AWS itself (service principals and service-linked roles), the decision is
    ``effect``. ``doc`` is the AWS documentation sentence the rule encodes, ``source`` its page."""

    name: str
    effect: str
    actions: frozenset
    doc: str
    source: str
    resource: re.Pattern | None = None
    policy_arn: re.Pattern | None = None

    def applies(self, req: _Req) -> bool:
        if req.action_l not in self.actions or req.principal.kind == "anonymous":
            return False
        if self.effect == ALLOW:
            return True
        if req.principal.kind == "service" or req.principal.service_linked:
            return False
        if self.policy_arn is not None:
            arn = req.ctx.get("iam:policyarn")
            return type(arn) is str and self.policy_arn.match(arn) is not None
        return self.resource is not None and self.resource.match(req.resource) is not None


def _iam(*names: str) -> frozenset:
    return frozenset(f"iam:{n.lower()}" for n in names)


_SLR_GUIDE = "Using service-linked roles - https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html"
SERVICE_RULES: dict[str, ServiceRule] = {r.name: r for r in (
    ServiceRule(
        "get-caller-identity", ALLOW, frozenset({"sts:getcalleridentity"}),
        "No permissions are required to perform this operation. If an administrator adds a policy to your IAM user or role "
        "that explicitly denies access to the sts:GetCallerIdentity action, you can still perform this operation.",
        "Compare AWS STS credentials - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_request.html"),
    ServiceRule(
        "service-linked-role", EXPLICIT_DENY,
        _iam("AttachRolePolicy", "DetachRolePolicy", "PutRolePolicy", "DeleteRolePolicy", "UpdateAssumeRolePolicy",
             "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary"),
        "An IAM administrator can view, but not edit the permissions for service-linked roles. The linked service defines the "
        "permissions of its service-linked roles ... The defined permissions include the trust policy and the permissions policy.",
        _SLR_GUIDE, resource=re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/aws-service-role/")),
    ServiceRule(
        "service-linked-role-policy", EXPLICIT_DENY, _iam("AttachRolePolicy", "AttachUserPolicy", "AttachGroupPolicy"),
        "The defined permissions include the trust policy and the permissions policy, and that permissions policy cannot be "
        "attached to any other IAM entity.",
        _SLR_GUIDE, policy_arn=re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/aws-service-role/")),
    ServiceRule(
        "identity-center-role", EXPLICIT_DENY,
        _iam("AttachRolePolicy", "DetachRolePolicy", "PutRolePolicy", "DeleteRolePolicy", "UpdateAssumeRolePolicy",
             "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary", "DeleteRole", "UpdateRole", "UpdateRoleDescription"),
        "Attempting to modify these roles from within the IAM console will result in the following error: 'Cannot perform "
        "the operation on the protected role 'AWSReservedSSO_RoleName_Here' - this role is only modifiable by AWS'",
        "Troubleshooting IAM Identity Center issues - https://docs.aws.amazon.com/singlesignon/latest/userguide/troubleshooting.html",
        resource=re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/aws-reserved/sso\.amazonaws\.com/")),
    ServiceRule(
        "aws-managed-policy", EXPLICIT_DENY,
        _iam("CreatePolicyVersion", "DeletePolicyVersion", "SetDefaultPolicyVersion", "DeletePolicy"),
        "You cannot change the permissions defined in AWS managed policies.",
        "AWS managed policies - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html",
        resource=re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/")),
)}
_SERVICE_RULE_ACTIONS = frozenset(a for rule in SERVICE_RULES.values() for a in rule.actions)


def _service_rule_step(req: _Req) -> Decision | None:
    """0. AWS's service-side rules (:data:`SERVICE_RULES`) decide before any policy is read:
    customers cannot change service-linked roles, Identity Center roles or AWS managed policies
    (an ExplicitDeny no Allow can lift; AWS answers with an error such as UnmodifiableEntity),
    and anyone who signs a request may call sts:GetCallerIdentity."""
    for rule in SERVICE_RULES.values():
        if rule.applies(req):
            return Decision(rule.effect, ("aws",) if rule.effect != ALLOW else (), (), (), rule.name)
    return None


def _permissions_only_step(request: Request, req: _Req, decision: Decision, evaluate) -> Decision:
    """8. Assuming a role with session tags or a source identity: "In addition to the action that
    matches the API operation, you must have the following permissions-only action in your
    policy: sts:TagSession" ("If your policy includes the first statement without the second
    statement, the user can't assume the role"), and likewise sts:SetSourceIdentity. Session tags
    are in the request as ``aws:RequestTag/...``, ``aws:TagKeys`` or ``sts:TransitiveTagKeys``; a
    source identity as ``sts:SourceIdentity``. Each permissions-only action is evaluated as its
    own request on the same role, and the request is allowed only if every one is."""
    ctx = req.ctx
    needed = []
    if any(k.startswith("aws:requesttag/") for k in ctx) or ctx.get("aws:tagkeys") or ctx.get("sts:transitivetagkeys"):
        needed.append(_SESSION_TAGS)
    if ctx.get("sts:sourceidentity") is not None:
        needed.append(_SOURCE_IDENTITY)
    if not needed:
        return decision
    parts = [(None, decision)] + [(action, evaluate(replace(request, action=action))) for action in needed]
    worst = EXPLICIT_DENY if any(d.effect == EXPLICIT_DENY for _a, d in parts) else \
        IMPLICIT_DENY if any(d.effect == IMPLICIT_DENY for _a, d in parts) else ALLOW
    blocked: list[str] = []
    statements: list[StatementRef] = []
    errors: list[str] = []
    for action, d in parts:
        if d.effect != worst:
            continue
        blocked += [b if action is None else f"{b} ({action})" for b in d.blocked_by]
        statements += d.statements
        errors += [e if action is None else f"{action}: {e}" for e in d.errors]
    return Decision(worst, tuple(dict.fromkeys(blocked)), tuple(dict.fromkeys(statements)), tuple(errors))


_NOTHING: tuple = ((), ())  # what an empty layer contributes: no allows, no denies


class _Verdict:
    """What the layer steps decided so far: the layers that block (an implicit deny) and the
    statements that carried each layer that allowed."""

    __slots__ = ("blocked", "deciding")

    def __init__(self) -> None:
        self.blocked: list[str] = []
        self.deciding: list[Statement] = []

    def block(self, layer: str) -> None:
        self.blocked.append(layer)

    def carried_by(self, allows: Sequence[Statement]) -> None:
        """The layer allowed through ``allows`` (if any): the first one is reported."""
        if allows:
            self.deciding.append(allows[0])

    def carry(self, statement: Statement) -> None:
        self.deciding.append(statement)

    def decision(self) -> Decision:
        if self.blocked:
            return Decision(IMPLICIT_DENY, tuple(dict.fromkeys(self.blocked)), (), ())
        return Decision(ALLOW, (), tuple(_ref(s) for s in self.deciding), ())


def _explicit_deny_step(denies: list[Statement], req: _Req) -> Decision:
    """1. "If the code finds even one explicit deny that applies, the code returns a final
    decision of Deny", whatever layer it is in: ``denies`` are the applicable Deny statements
    of every layer that applies, and there is at least one."""
    layers = tuple(sorted({d.layer for d in denies}))
    return Decision(EXPLICIT_DENY, layers, tuple(_ref(d) for d in denies), tuple(req.errors))


def _every_level_allows(levels: list[_Layer], found: dict[str, tuple[list, list]], verdict: _Verdict) -> None:
    for level in levels:
        allows = found[level.name][0]
        if allows:
            verdict.deciding.append(allows[0])
        else:
            verdict.blocked.append(level.name)


def _rcp_step(levels: list[_Layer], found: dict[str, tuple[list, list]], verdict: _Verdict) -> None:
    """2. RCPs: "RCPs alone are not sufficient in granting permissions"; like SCPs, every level
    from the root to the resource's account must allow (FullAWSAccess passes through)."""
    _every_level_allows(levels, found, verdict)


def _scp_step(levels: list[_Layer], found: dict[str, tuple[list, list]], verdict: _Verdict) -> None:
    """3. SCPs: "there must be an explicit Allow statement at every level from the root through
    each OU in the direct path to the account (including the target account itself)"."""
    _every_level_allows(levels, found, verdict)


def _resource_policy_required(req: _Req) -> bool:
    """"IAM role trust policies and KMS key policies are exceptions to this logic, because they
    must explicitly allow access for principals." A key policy is weighed for requests on a key
    (not for CreateKey, which has none yet); a role's trust policy for assuming it and for the
    permissions-only sts:TagSession and sts:SetSourceIdentity on it."""
    if req.service == "kms":
        return ":key/" in req.resource
    return req.action_l in _TRUST_ACTIONS or (req.action_l in _TRUST_COMPANIONS and _ROLE_ARN_RE.match(req.resource) is not None)


def _resource_step(found: dict[str, tuple[list, list]], req: _Req, verdict: _Verdict) -> bool:
    """4. The resource-based policy. True when it settles the request without the identity,
    boundary and session steps:

    - AWS service principals and anonymous callers have nothing but the resource policy, which
      must name them directly;
    - the account root user needs the resource policy only across accounts;
    - within one account, a statement naming the user, the session or everyone "grant[s]
      permissions directly to the assumed role session", not limited by an implicit deny in the
      identity policy, boundary or session policy.

    Across accounts both sides must allow: this step requires the resource side."""
    grants = found["resource"][0]  # (statement, how it names the requester)
    kind = req.principal.kind
    if not grants:
        if kind in ("service", "anonymous") or not req.within_account or _resource_policy_required(req):
            verdict.block("resource")
        return kind in ("service", "anonymous", "root")
    if kind in ("service", "anonymous"):
        direct = [s for s, how in grants if how == "direct"]
        if not direct:
            verdict.block("resource")
        verdict.carried_by(direct)
        return True
    if kind == "root":
        verdict.carry(grants[0][0])
        return True
    if req.within_account:
        direct = [s for s, how in grants if how == "direct"]
        verdict.carried_by(direct)
        return bool(direct)
    verdict.carry(grants[0][0])
    return False


def _identity_step(found: dict[str, tuple[list, list]], req: _Req, verdict: _Verdict) -> None:
    """5. Identity-based policies. Within one account "either the identity-based policy or the
    resource-based policy" may allow; a resource policy naming the session's role stands in for
    the identity policy (and is still limited by the boundary and session policy). Across
    accounts the identity policy must allow."""
    allows = found["identity"][0]
    if req.within_account and not allows:
        by_role = [s for s, how in found["resource"][0] if how == "role"]
        if not by_role:
            verdict.block("identity")
        verdict.carried_by(by_role)
    else:
        if not allows:
            verdict.block("identity")
        verdict.carried_by(allows)


def _boundary_step(boundary: _Layer | None, found: dict[str, tuple[list, list]], verdict: _Verdict) -> None:
    """6. "An entity's permissions boundary allows it to perform only the actions that are
    allowed by both its identity-based policies and its permissions boundaries." """
    if boundary is None:
        return
    allows = found[boundary.name][0]
    if not allows:
        verdict.block("boundary")
    verdict.carried_by(allows)


def _session_step(session: _Layer | None, found: dict[str, tuple[list, list]], req: _Req, verdict: _Verdict) -> None:
    """7. "If a session policy is present and does not allow the requested action, then the
    request is implicitly denied." Without one a role session passes; a federated user session
    has no permissions."""
    if session is None:
        if req.principal.kind == "federated":
            verdict.block("session")
        return
    allows = found[session.name][0]
    if not allows:
        verdict.block("session")
    verdict.carried_by(allows)


class PolicySet:
    """Every policy AWS weighs for one principal and one resource, compiled once.

    ``identity``, ``resource`` and ``session`` are lists of policies; ``boundary`` one policy
    or None; ``scps`` and ``rcps`` one list of policies per level (root, each OU, account),
    empty when Organizations policies do not apply. Policies may be dicts, JSON text or
    :class:`Policy` objects; invalid ones raise :class:`PolicyError`, and so do documents over
    their type's size limit. ``types`` names each document's type (:mod:`prr_policies.iam.limits`)
    in the same shape (``{"identity": ["user-inline", "aws-managed"], "boundary": "managed"}``);
    a document without one gets its kind's loosest limit.
    """

    def __init__(self, identity: Iterable = (), resource: Iterable = (), boundary: Any = None,
                 session: Iterable = (), scps: Iterable[Iterable] = (), rcps: Iterable[Iterable] = (),
                 source: str = "<policies>", path: str = "", types: Mapping[str, Any] | None = None):
        types = types or {}

        def comp(doc: Any, kind: str, idx: int, level: int | None, where: str, key: str) -> Policy:
            if isinstance(doc, Policy):
                return doc
            return parse_policy(doc, kind, source=source, policy_index=idx, level=level, path=where,
                                policy_type=_type_of(types, key, idx, level))

        pre = f"{path}." if path else ""
        self.identity = _Layer("identity", [comp(d, "identity", i, None, f"{pre}identity[{i}].", "identity") for i, d in enumerate(identity)])
        self.resource = _Layer("resource", [comp(d, "resource", i, None, f"{pre}resource[{i}].", "resource") for i, d in enumerate(resource)])
        self.boundary = None if boundary is None else _Layer("boundary", [comp(boundary, "boundary", 0, None, f"{pre}boundary.", "boundary")])
        session = list(session)
        self.session = _Layer("session", [comp(d, "session", i, None, f"{pre}session[{i}].", "session") for i, d in enumerate(session)]) if session else None
        self.scps = [_Layer(f"scp[{lv}]", [comp(d, "scp", i, lv, f"{pre}scps[{lv}][{i}].", "scps") for i, d in enumerate(level)])
                     for lv, level in enumerate(scps)]
        self._own_layers = tuple(x for x in (self.resource, self.identity, self.boundary, self.session) if x is not None)
        self.rcps = [_Layer(f"rcp[{lv}]", [comp(d, "rcp", i, lv, f"{pre}rcps[{lv}][{i}].", "rcps") for i, d in enumerate(level)])
                     for lv, level in enumerate(rcps)]

    def evaluate(self, request: Request) -> Decision:
        try:
            req = _Req(request, self.boundary is not None)
        except (ValueError, TypeError, AttributeError) as exc:
            return Decision(IMPLICIT_DENY, ("request",), (), (f"invalid request: {exc}",))
        try:
            decision = self._decide(req)
            if req.action_l in _TRUST_ACTIONS:
                decision = _permissions_only_step(request, req, decision, self.evaluate)
            return decision
        except Exception as exc:  # an evaluator fault is a deny, never an allow
            return Decision(IMPLICIT_DENY, ("error",), (), (f"evaluation failed: {type(exc).__name__}: {exc}",))

    def _decide(self, req: _Req) -> Decision:
        """The steps of the module docstring, in order."""
        if req.action_l in _SERVICE_RULE_ACTIONS:
            ruled = _service_rule_step(req)
            if ruled is not None:
                return ruled
        rcps = self._rcp_levels(req) if self.rcps else ()
        scps = self._scp_levels(req) if self.scps else ()
        found: dict[str, tuple] = {}
        denies: list[Statement] = []
        for layer in (*rcps, *scps, *self._own_layers):
            got = found[layer.name] = _scan(layer, req) if layer.statements else _NOTHING
            if got[1]:
                denies += got[1]
        if denies:
            return _explicit_deny_step(denies, req)
        if req.errors:
            return Decision(IMPLICIT_DENY, ("error",), (), tuple(req.errors))
        verdict = _Verdict()
        if rcps:
            _rcp_step(rcps, found, verdict)
        if scps:
            _scp_step(scps, found, verdict)
        if not _resource_step(found, req, verdict):
            _identity_step(found, req, verdict)
            _boundary_step(self.boundary, found, verdict)
            _session_step(self.session, found, req, verdict)
        return verdict.decision()

    def _rcp_levels(self, req: _Req) -> list[_Layer]:
        """RCPs apply to requests on resources of the services that support them, from every
        caller except service-linked roles."""
        if self.rcps and req.service in RCP_SERVICES and not req.principal.service_linked:
            return self.rcps
        return []

    def _scp_levels(self, req: _Req) -> list[_Layer]:
        """SCPs apply to IAM principals of member accounts: not to service principals, anonymous
        callers or service-linked roles ("SCPs do not affect service-linked roles")."""
        principal = req.principal
        if self.scps and principal.kind not in ("service", "anonymous") and not principal.service_linked:
            return self.scps
        return []


def _type_of(types: Mapping[str, Any], key: str, index: int, level: int | None) -> str | None:
    """The policy type ``types`` gives the document at ``key`` (``boundary``), ``key[index]``
    (``identity[2]``) or ``key[level][index]`` (``scps[1][0]``); None when it names none."""
    named = types.get(key)
    if key == "boundary" or named is None:
        return named
    if level is not None:
        named = named[level] if level < len(named) else None
    if named is None or index >= len(named):
        return None
    return named[index]


def evaluate(request: Request, policies: PolicySet | Mapping[str, Any]) -> Decision:
    """Evaluate one request. ``policies`` is a :class:`PolicySet` (compile once, evaluate many
    times) or a mapping in the case-file shape (identity, resource, boundary, session, scps,
    rcps), compiled on each call."""
    if not isinstance(policies, PolicySet):
        policies = policy_set(policies)
    return policies.evaluate(request)


def policy_set(policies: Mapping[str, Any], source: str = "<policies>", path: str = "",
               types: Mapping[str, Any] | None = None) -> PolicySet:
    """A :class:`PolicySet` from the case-file mapping; unknown keys or wrong shapes are errors.
    ``types``: the policy type of each document, as for :class:`PolicySet`."""
    if not isinstance(policies, Mapping):
        raise InputError(source, path or "policies", "must be an object")
    unknown = set(policies) - {"identity", "resource", "boundary", "session", "scps", "rcps"}
    if unknown:
        raise InputError(source, f"{path}.{sorted(unknown)[0]}" if path else sorted(unknown)[0], "unknown policy layer (expected identity, resource, boundary, session, scps, rcps)")
    pre = f"{path}." if path else ""
    for key in ("identity", "resource", "session", "scps", "rcps"):
        if not isinstance(policies.get(key, []), list):
            raise InputError(source, f"{pre}{key}", "must be a list")
    for key in ("scps", "rcps"):
        for i, level in enumerate(policies.get(key, [])):
            if not isinstance(level, list):
                raise InputError(source, f"{pre}{key}[{i}]", "must be a list of policies (one list per level)")
    return PolicySet(policies.get("identity", []), policies.get("resource", []), policies.get("boundary"),
                     policies.get("session", []), policies.get("scps", []), policies.get("rcps", []), source=source, path=path,
                     types=types)
