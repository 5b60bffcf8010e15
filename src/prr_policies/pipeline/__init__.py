"""The release steps the reusable workflow runs (``python -m prr_policies.pipeline``), over boto3.

:mod:`prr_policies.pipeline.release`: upload a package as a versioned S3 object, sign it with
AWS Signer, wait, verify the signed object against the function's code signing config, publish
a version, and shift an alias with a CodeDeploy canary (or linear) deployment whose alarm
watches the new version only; manual rollback and the emergency path.
:mod:`prr_policies.pipeline.hooks`: a pre/post-traffic hook function for CodeDeploy.
Needs the ``aws`` extra (boto3).
"""
