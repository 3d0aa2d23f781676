"""Public verification (issue 15): anyone checks a certification by member ID and family
name; the answer is the program, status and valid-until date, and nothing else."""
