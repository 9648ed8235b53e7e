"""Projects: members from many nodes (AS2 `Group`), invitations, tasks and shared data sets."""
