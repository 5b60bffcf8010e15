"""Loaded by ``checkov --external-checks-dir``: registers every prr-policies check.

checkov executes each .py file here as a top-level module, so this file only calls into the
package (which is imported once, under its own name) and holds no logic of its own.
"""

from prr_policies.checkov_adapter import register

register()
