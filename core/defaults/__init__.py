"""Core's own behaviour, each module a plugin registered through the hooks."""
