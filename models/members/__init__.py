"""Members of an account and their contact details."""
