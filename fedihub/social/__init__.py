"""Notes, messages, follows, likes, boosts, timelines, notifications; visibility decides who sees
what."""
