Feature: Lambda functions trace with X-Ray in Active mode (PRR-LAMBDA-001)

  Scenario: tracing mode is Active
    Given I have aws_lambda_function defined
    Then it must contain tracing_config
    And it must contain mode
    And its value must be Active
