"""Which controls run as AWS Config rules, how they are triggered, and the managed rules that
carry (part of) their meaning. Kept free of boto3 and rdklib, so the pack generator and the
tests import it cheaply."""

from __future__ import annotations

from dataclasses import dataclass

FUNCTION = ("AWS::Lambda::Function",)


@dataclass(frozen=True)
class Evaluator:
    control_id: str
    trigger: str  # "change" (configuration items) | "periodic" (the account, through boto3)
    resource_types: tuple[str, ...]
    # False when an AWS managed rule in the pack already carries the whole control.
    custom_in_pack: bool = True

    @property
    def rule_name(self) -> str:
        return self.control_id.lower()


EVALUATORS: dict[str, Evaluator] = {e.control_id: e for e in (
    Evaluator("PRR-LAMBDA-001", "change", FUNCTION),
    Evaluator("PRR-LAMBDA-002", "change", FUNCTION, custom_in_pack=False),
    Evaluator("PRR-LAMBDA-003", "change", FUNCTION),
    Evaluator("PRR-LAMBDA-004", "change", FUNCTION),
    Evaluator("PRR-LAMBDA-005", "change", FUNCTION),
    Evaluator("PRR-LAMBDA-006", "change", FUNCTION),
    Evaluator("PRR-LAMBDA-007", "change", FUNCTION),
    Evaluator("PRR-LAMBDA-008", "change", FUNCTION),
    Evaluator("PRR-LAMBDA-009", "change", FUNCTION),
    Evaluator("PRR-LAMBDA-010", "periodic", FUNCTION),
    Evaluator("PRR-LAMBDA-011", "periodic", FUNCTION),
    Evaluator("PRR-LAMBDA-012", "periodic", FUNCTION),
    Evaluator("PRR-LAMBDA-013", "change", ("AWS::Lambda::CodeSigningConfig",)),
    Evaluator("PRR-LAMBDA-014", "periodic", FUNCTION),
    Evaluator("PRR-LAMBDA-015", "periodic", FUNCTION),
    Evaluator("PRR-LAMBDA-016", "periodic", FUNCTION),
    Evaluator("PRR-APIGW-001", "change", ("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage")),
    Evaluator("PRR-APIGW-002", "change", ("AWS::ApiGateway::Stage",), custom_in_pack=False),
    Evaluator("PRR-APIGW-003", "change", ("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage")),
    Evaluator("PRR-APIGW-004", "change", ("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage")),
    Evaluator("PRR-SQS-001", "change", ("AWS::SQS::Queue",)),
    Evaluator("PRR-SQS-002", "change", ("AWS::SQS::Queue",)),
    Evaluator("PRR-SNS-001", "change", ("AWS::SNS::Topic",)),
    Evaluator("PRR-SECRETS-001", "change", ("AWS::SecretsManager::Secret",), custom_in_pack=False),
    Evaluator("PRR-SECRETS-002", "change", ("AWS::SecretsManager::Secret",)),
    Evaluator("PRR-KMS-001", "change", ("AWS::KMS::Key",), custom_in_pack=False),
    Evaluator("PRR-CODEDEPLOY-001", "change", ("AWS::CodeDeploy::DeploymentGroup",)),
    Evaluator("PRR-IAM-002", "change", ("AWS::IAM::Role",)),
    Evaluator("PRR-ESM-001", "periodic", ("AWS::Lambda::EventSourceMapping",)),
    Evaluator("PRR-ESM-002", "periodic", ("AWS::Lambda::EventSourceMapping",)),
    Evaluator("PRR-ESM-003", "periodic", ("AWS::Lambda::EventSourceMapping",)),
)}
