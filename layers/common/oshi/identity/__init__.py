"""Identity: accounts, passwords, MFA, access and refresh tokens, sessions, and the principal
(Role, Caller) every other context reasons about."""
