"""Unit tier: the pure modules, no build, in seconds."""
