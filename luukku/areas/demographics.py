"""The standard respondent background: the same categories as the population statistics.

Surveys ask it optionally and panels ask it at sign-up, in exactly these categories, so that
insights can set respondents and panel members beside the population (areas.PopulationGroup)
without recoding. The age bands are those of the population data the region loads.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Statistics Finland's bands as loaded into PopulationGroup.age_band ("75-" is open-ended).
AGE_BANDS: tuple[str, ...] = ("0-14", "15-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-")


class AgeBand(models.TextChoices):
    UNDER_15 = "0-14", _("under 15")
    FROM_15 = "15-24", _("15–24")
    FROM_25 = "25-34", _("25–34")
    FROM_35 = "35-44", _("35–44")
    FROM_45 = "45-54", _("45–54")
    FROM_55 = "55-64", _("55–64")
    FROM_65 = "65-74", _("65–74")
    FROM_75 = "75-", _("75 or over")


class Sex(models.TextChoices):
    """As asked of respondents. Population figures have only the first two; "other" is kept
    as given and treated as unknown when respondents are compared with the population."""

    FEMALE = "female", _("woman")
    MALE = "male", _("man")
    OTHER = "other", _("other")


class CustomerType(models.TextChoices):
    """Who the respondent answers as (the same kinds as cases.Customer.Kind)."""

    PERSON = "person", _("private person")
    COMPANY = "company", _("company or entrepreneur")
    COMMUNITY = "community", _("association or community")
    PARTNER = "partner", _("other partner")


def age_band_for(age: int) -> str:
    """The population age band an age in whole years falls in."""
    if age < 0:
        raise ValueError("An age cannot be negative.")
    for band in reversed(AGE_BANDS):
        low = int(band.split("-")[0])
        if age >= low:
            return band
    return AGE_BANDS[0]
