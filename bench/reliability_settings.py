"""The production settings plus luukku.core.database_unavailable's middleware, for the
reliability run (bench/reliability.py) until luukku/settings.py lists that middleware itself;
then this module changes nothing."""

from luukku.settings import *  # noqa: F403
from luukku.settings import MIDDLEWARE

DATABASE_UNAVAILABLE = "luukku.core.database_unavailable.DatabaseUnavailableMiddleware"
if DATABASE_UNAVAILABLE not in MIDDLEWARE:
    # Right after SecurityMiddleware: the 503 still gets the security headers.
    MIDDLEWARE = [MIDDLEWARE[0], DATABASE_UNAVAILABLE, *MIDDLEWARE[1:]]
