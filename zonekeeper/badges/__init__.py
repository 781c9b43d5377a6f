"""QR badges: signed tokens, issue / reissue / revoke, printable badge sheets."""
