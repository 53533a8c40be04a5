"""Insights: alerts and theme runs (built by the insights work)."""
