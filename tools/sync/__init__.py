"""Sync: load source payloads (fixtures or live APIs) into the normalized store, idempotently."""
