"""Local users and their actors: registration, sign-in, profiles, keys, node settings."""
