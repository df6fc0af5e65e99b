"""The guardrail library: one folder per service control policy, its metadata beside it."""
