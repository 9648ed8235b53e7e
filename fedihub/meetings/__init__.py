"""Project meetings: FEP-8a8e Events owned by a project's Group, rooms on an external video
engine, direct messages to members, and each member's private iCalendar feed."""
