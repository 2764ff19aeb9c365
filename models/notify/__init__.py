"""Messages to members: writing them to the outbox, their texts, the outbox, quiet hours."""
