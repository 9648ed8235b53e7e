"""Babel message catalogues of the pages: <language>/LC_MESSAGES/messages.po (web/i18n.py)."""
