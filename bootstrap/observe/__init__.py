"""Read live state, read-only, in bulk: one list/describe call per resource type per account-region."""
