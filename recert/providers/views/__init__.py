"""Pages of providers (provider.py), of the bodies' education staff (education.py) and the
public events search (search.py)."""
