Feature: Log groups keep logs for the agreed time, encrypted (PRR-LAMBDA-015)

  Scenario: retention of at least 30 days
    Given I have aws_cloudwatch_log_group defined
    Then it must contain retention_in_days
    And its value must not be null
    And its value must be greater and equal than 30

  Scenario: encrypted with a customer-managed key
    Given I have aws_cloudwatch_log_group defined
    Then it must contain kms_key_id
    And its value must not be null
