"""prr-policies: production-readiness guardrails for AWS Lambda serverless stacks."""

__version__ = "0.1.0"
