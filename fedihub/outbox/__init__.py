"""Publishing activities: addressing, one delivery job per inbox, delivery, back-off, dead hosts."""
