"""Receiving activities: verify, deduplicate by id, store, answer 202; then dispatch to services."""
