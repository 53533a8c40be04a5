"""A small region for panel tests: three municipalities with population, and consent texts."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from luukku.areas.models import Area
from luukku.core.models import ConsentText

from .factories import ConsentTextFactory, municipality_with_population


@dataclass
class Region:
    big: Area
    middle: Area
    small: Area
    membership: ConsentText
    guardian: ConsentText


@pytest.fixture
def region(db) -> Region:
    return Region(
        big=municipality_with_population("297", "Kuopio", male=6000, female=6000),
        middle=municipality_with_population("140", "Iisalmi", male=3000, female=3000),
        small=municipality_with_population("204", "Kaavi", male=1000, female=1000),
        membership=ConsentTextFactory.create(purpose=ConsentText.Purpose.PANEL_MEMBERSHIP),
        guardian=ConsentTextFactory.create(purpose=ConsentText.Purpose.PANEL_GUARDIAN),
    )
