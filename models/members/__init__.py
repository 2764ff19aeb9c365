"""Members of an account: the models, membership, their own profile, contact details."""
