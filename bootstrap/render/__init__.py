"""The render stage: spec -> reviewable artifacts (SCP JSON, CloudFormation templates, runbooks). Pure: no boto3."""
