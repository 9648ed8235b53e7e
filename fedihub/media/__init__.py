"""Uploaded media: where the bytes are kept (storage.py), what they are (probe.py), and the upload
service that ties them to MediaAttachment rows (uploads.py). Imports no web code."""
