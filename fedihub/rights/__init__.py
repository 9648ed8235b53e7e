"""Accounts' rights over their data: Mastodon's CSV exports and their import (a background job
with progress), and the account archive (ActivityStreams outbox, actor, media).

Sits above the domain services it calls (social, moderation) and below the edge."""
