"""The tamper-evident audit trail: an append-only, HMAC-chained event table."""
