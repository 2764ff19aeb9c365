"""Partner apps: API keys."""
