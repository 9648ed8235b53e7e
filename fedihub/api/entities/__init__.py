"""Mastodon entities, one module per entity, spelled exactly as Mastodon documents them.

Builders take lists and make a constant number of queries, whatever the list's length.
"""
