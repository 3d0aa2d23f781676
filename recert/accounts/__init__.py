"""Accounts: users, log-in with lock-outs (django-axes), sign-up, and one-time claim links."""
