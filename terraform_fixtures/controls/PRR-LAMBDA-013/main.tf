# Fixtures for PRR-LAMBDA-013: resources are named by the verdict they must get.
variable "untrusted_policy" {}
resource "aws_lambda_code_signing_config" "pass_enforce" {
  allowed_publishers {
    signing_profile_version_arns = ["arn:aws:signer:eu-west-1:123456789012:/signing-profiles/orders_release/AbCdEfGhIj"]
  }
  policies {
    untrusted_artifact_on_deployment = "Enforce"
  }
}
resource "aws_lambda_code_signing_config" "fail_warn" {
  allowed_publishers {
    signing_profile_version_arns = ["arn:aws:signer:eu-west-1:123456789012:/signing-profiles/orders_release/AbCdEfGhIj"]
  }
  policies {
    untrusted_artifact_on_deployment = "Warn"
  }
}
resource "aws_lambda_code_signing_config" "fail_no_policies_block" {
  allowed_publishers {
    signing_profile_version_arns = ["arn:aws:signer:eu-west-1:123456789012:/signing-profiles/orders_release/AbCdEfGhIj"]
  }
}
resource "aws_lambda_code_signing_config" "unknown_policy_from_variable" {
  allowed_publishers {
    signing_profile_version_arns = ["arn:aws:signer:eu-west-1:123456789012:/signing-profiles/orders_release/AbCdEfGhIj"]
  }
  policies {
    untrusted_artifact_on_deployment = var.untrusted_policy
  }
}
