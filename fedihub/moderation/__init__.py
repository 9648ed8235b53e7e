"""Moderation: the node's policy towards other servers (policy.py, read low by the inbox and the
outbox; domains.py changes it), and the jobs that carry it out (purge.py).

Imports nothing itself: policy.py sits far below the services of this package, and importing the
package must not pull them in.
"""

__all__: list[str] = []
