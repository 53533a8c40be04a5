"""Luukku: a region's one-stop shop for residents, companies and communities."""

from .celery import app as celery_app

__all__ = ["celery_app"]
