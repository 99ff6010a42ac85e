"""One router per area of the API; each is built from the use cases it serves."""
