"""What a professional takes away: transcripts (xlsx, CSV, PDF, print) and the deadline calendar."""
