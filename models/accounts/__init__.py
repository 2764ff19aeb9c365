"""The household's account."""
