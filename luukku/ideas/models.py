"""Staff ideas (built by the ideas work)."""
