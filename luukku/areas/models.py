"""Areas (municipalities, regions) and their population: the yardstick for coverage."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    """A PTV area: a municipality, a region (maakunta), a business or hospital region.

    Codes are Statistics Finland's: municipality 297 is Kuopio, region 11 is Pohjois-Savo.
    """

    class Type(models.TextChoices):
        MUNICIPALITY = "Municipality", _("municipality")
        REGION = "Province", _("region")
        BUSINESS_REGION = "BusinessRegions", _("business region")
        HOSPITAL_REGION = "HospitalRegions", _("hospital district")

    area_type = models.CharField(max_length=20, choices=Type.choices, verbose_name=_("area type"))
    code = models.CharField(max_length=10, verbose_name=_("code"))
    name_fi = models.CharField(max_length=100, verbose_name=_("Finnish name"))
    name_sv = models.CharField(max_length=100, blank=True, verbose_name=_("Swedish name"))
    name_en = models.CharField(max_length=100, blank=True, verbose_name=_("English name"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("For a municipality, the region it belongs to."),
        verbose_name=_("parent area"),
    )

    class Meta:
        ordering = ["area_type", "name_fi"]
        constraints = [
            models.UniqueConstraint(fields=["area_type", "code"], name="unique_area_code"),
        ]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name()

    def name(self, language: str | None = None) -> str:
        language = language or get_language() or "fi"
        return getattr(self, f"name_{language}", "") or self.name_fi


class PopulationGroup(models.Model):
    """Population of one municipality × age band × sex at the end of a year."""

    class Sex(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")

    municipality = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="population", verbose_name=_("municipality")
    )
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    age_band = models.CharField(
        max_length=10, help_text=_("For example 0-14, 15-24, 75-."), verbose_name=_("age band")
    )
    sex = models.CharField(max_length=6, choices=Sex.choices, verbose_name=_("sex"))
    population = models.PositiveIntegerField(verbose_name=_("population"))
    approximate = models.BooleanField(
        default=True,
        help_text=_("True when the figure is an estimate, not an official release."),
        verbose_name=_("approximate"),
    )
    source = models.CharField(max_length=200, verbose_name=_("source"))

    class Meta:
        ordering = ["municipality", "year", "age_band", "sex"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year", "age_band", "sex"], name="unique_population_cell"
            ),
        ]
        verbose_name = _("population group")
        verbose_name_plural = _("population groups")

    def __str__(self) -> str:
        return f"{self.municipality} {self.year} {self.age_band} {self.sex}: {self.population}"
