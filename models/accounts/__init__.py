"""The household's account: its model, bringing a household in, the demo household."""
