# PRR-LAMBDA-005 and PRR-LAMBDA-013 for terraform-compliance. Give it single-line plan JSON
# (`terraform show -json plan > plan.json` writes one line; see README).
Feature: Lambda code is signed (PRR-LAMBDA-005, PRR-LAMBDA-013)

  Scenario: .zip functions name a code signing config
    Given I have aws_lambda_function defined
    When its package_type is Zip
    Then it must contain code_signing_config_arn
    And its value must not be null

  Scenario: code signing configs reject untrusted code
    Given I have aws_lambda_code_signing_config defined
    Then it must contain policies
    And it must contain untrusted_artifact_on_deployment
    And its value must be Enforce
