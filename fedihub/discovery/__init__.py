"""Discovery: the expertise directory of local and known remote researchers, and the reading of
fedihub peers' public directories."""
