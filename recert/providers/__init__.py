"""Providers: their courses and events, completion rosters, the public events search and
ACE petitions (issue 14)."""
