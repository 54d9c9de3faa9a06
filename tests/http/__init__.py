"""HTTP tier: every surface through Flask's test client over the real build (a few also live)."""
