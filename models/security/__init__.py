"""Sign-in security: sessions, tokens and codes, the guard, lockout and throttle, passwords, recovery,
TOTP, familiar devices and sign-in alerts."""
