"""What partners' apps use: API keys, their trusted documents, persisted queries."""
