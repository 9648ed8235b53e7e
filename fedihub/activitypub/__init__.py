"""The ActivityPub protocol only: vocabulary, parsing, documents, HTTP signatures, signed fetch.

Imports nothing from fedihub but `errors`; key lookup and the HTTP client are passed in.
"""
