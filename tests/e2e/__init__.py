"""Live tier: the production server, real clients, a browser, load and attacks (marker e2e)."""
