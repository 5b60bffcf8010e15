Feature: Functions are released through an alias (PRR-LAMBDA-014)

  Scenario: every function has an alias
    Given I have aws_lambda_function defined
    Then it must have "aws_lambda_alias" referenced
