"""Statistical validation of the engine against queueing theory."""
