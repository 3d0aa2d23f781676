"""Every write to the domain: do_<verb>_<noun>(..., *, actor), one transaction, one history row."""
