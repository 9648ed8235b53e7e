"""Notification services beyond storing one (social/notifications.py stores them): Mastodon's
grouping, the recipient's policy and its requests, conversation mutes, and Web Push delivery."""
