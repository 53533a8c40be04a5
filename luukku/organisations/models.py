"""Organisations that organise or produce services: the region, municipalities, the state,
companies and associations, and their units (PTV: organisation with a parent)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from luukku.areas.models import Area
from luukku.core.identifiers import business_id_validator
from luukku.core.models import TimeStampedModel


class Organisation(TimeStampedModel):
    class Type(models.TextChoices):
        """PTV's organisation types (OrganizationTypeEnum)."""

        STATE = "State", _("state")
        MUNICIPALITY = "Municipality", _("municipality")
        REGIONAL_ORGANISATION = "RegionalOrganization", _("regional organisation")
        REGION = "Region", _("region (wellbeing services county)")
        COMPANY = "Company", _("company")
        ORGANISATION = "Organization", _("other (association, foundation)")
        SOTE_PUBLIC = "SotePublic", _("public social and health care producer")
        SOTE_PRIVATE = "SotePrivate", _("private social and health care producer")

    id = models.BigAutoField(primary_key=True, verbose_name=_("ID"))
    slug = models.SlugField(max_length=80, unique=True, verbose_name=_("identifier"))
    ptv_id = models.UUIDField(
        null=True, blank=True, unique=True, default=None, verbose_name=_("PTV ID")
    )
    organisation_type = models.CharField(
        max_length=24, choices=Type.choices, verbose_name=_("organisation type")
    )
    business_id = models.CharField(
        max_length=9, blank=True, validators=[business_id_validator], verbose_name=_("business ID")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
        help_text=_("The organisation this one is a unit of."),
        verbose_name=_("parent organisation"),
    )
    municipality = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"area_type": Area.Type.MUNICIPALITY},
        verbose_name=_("municipality"),
    )
    name_fi = models.CharField(max_length=200, verbose_name=_("Finnish name"))
    name_sv = models.CharField(max_length=200, blank=True, verbose_name=_("Swedish name"))
    name_en = models.CharField(max_length=200, blank=True, verbose_name=_("English name"))

    class Meta:
        ordering = ["name_fi"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name()

    def name(self, language: str | None = None) -> str:
        language = language or get_language() or "fi"
        return getattr(self, f"name_{language}", "") or self.name_fi

    def ensure_ptv_id(self) -> uuid.UUID:
        """PTV identifies every organisation by UUID; ours get a stable one on first export."""
        if self.ptv_id is None:
            self.ptv_id = uuid.uuid4()
            self.save(update_fields=["ptv_id"])
        return self.ptv_id

    def ancestors_and_self(self) -> list[Organisation]:
        chain: list[Organisation] = []
        node: Organisation | None = self
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain
