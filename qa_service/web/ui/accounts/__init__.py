"""Pages of accounts: sign-in, password, and the admin's users, settings and audit log."""
