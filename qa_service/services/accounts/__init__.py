"""Accounts: tenants, users, their settings and API tokens, and the admin's audit-log page."""
