"""Sign-in security: sessions, tokens and codes, the guard, lockout and throttle, passwords, recovery,
TOTP and familiar devices."""
