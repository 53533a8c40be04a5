"""Customer panels (built by the panels work)."""
