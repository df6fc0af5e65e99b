"""Handlers: one class per resource type, each with idempotent create, update and delete."""
