"""Accounts: users, log-in with throttling, sign-up, and one-time claim links."""
