"""The permission-set library: one folder per IAM Identity Center permission set, its metadata beside it."""
