"""The region's service catalogue, aligned with Suomi.fi PTV (Palvelutietovaranto).

PTV's names are kept where they are enum values (service types, channel types, role types), so
that import and export need no translation tables. PTV ids are kept beside our own keys.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from luukku.areas.models import Area
from luukku.core.models import TimeStampedModel, TranslatedText
from luukku.organisations.models import Organisation


class Concept(models.Model):
    """An entry of a national code list (Finto / koodistot.suomi.fi), with fi/sv/en labels."""

    code = models.CharField(max_length=20, unique=True, verbose_name=_("code"))
    uri = models.URLField(max_length=300, blank=True, verbose_name=_("URI"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    label_fi = models.CharField(max_length=200, verbose_name=_("Finnish label"))
    label_sv = models.CharField(max_length=200, blank=True, verbose_name=_("Swedish label"))
    label_en = models.CharField(max_length=200, blank=True, verbose_name=_("English label"))

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label()}"

    def label(self, language: str | None = None) -> str:
        language = language or get_language() or "fi"
        return getattr(self, f"label_{language}", "") or self.label_fi


class ServiceClass(Concept):
    """National service classification (palveluluokitus): P1–P28 and their children."""

    class Meta(Concept.Meta):
        verbose_name = _("service class")
        verbose_name_plural = _("service classes")


class TargetGroup(Concept):
    """Target groups (kohderyhmät): KR1 citizens, KR2 businesses, ... and their children."""

    class Meta(Concept.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class LifeEvent(Concept):
    """Life events (elämäntapahtumat): KE1 having a child ... KE14."""

    class Meta(Concept.Meta):
        verbose_name = _("life event")
        verbose_name_plural = _("life events")


class Domain(models.TextChoices):
    """The broad field a service belongs to; Open311 `group` and the public browse pages."""

    EMPLOYMENT_AND_BUSINESS = "employment-and-business", _("Employment and business")
    HEALTH = "health", _("Health")
    SOCIAL = "social", _("Social services and family")
    ENVIRONMENT = "environment", _("Environment and food safety")
    RURAL = "rural", _("Agriculture and rural affairs")
    TRANSPORT = "transport", _("Transport and roads")
    BUILT_ENVIRONMENT = "built-environment", _("Building, land use and housing")
    SAFETY = "safety", _("Safety and rescue")
    EDUCATION_AND_CULTURE = "education-and-culture", _("Education, culture and leisure")


class Service(TimeStampedModel):
    class Type(models.TextChoices):
        """PTV ServiceTypeEnum."""

        SERVICE = "Service", _("service")
        PERMISSION_AND_OBLIGATION = "PermissionAndObligation", _("permission and obligation")
        PROFESSIONAL_QUALIFICATION = "ProfessionalQualifications", _("professional qualification")

    class ChargeType(models.TextChoices):
        FREE = "Free", _("free of charge")
        CHARGED = "Charged", _("charged")
        OTHER = "Other", _("other")

    class AreaType(models.TextChoices):
        NATIONWIDE = "Nationwide", _("nationwide")
        NATIONWIDE_EXCEPT_ALAND = "NationwideExceptAlandIslands", _("nationwide except Åland")
        LIMITED = "LimitedType", _("limited to the areas listed")

    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text=_("Stable identifier used everywhere, also as the Open311 service_code."),
        verbose_name=_("identifier"),
    )
    ptv_id = models.UUIDField(
        null=True, blank=True, unique=True, default=None, verbose_name=_("PTV ID")
    )
    source = models.CharField(
        max_length=20,
        default="luukku",
        help_text=_("Where the record came from: luukku, ptv, demo."),
        verbose_name=_("source"),
    )
    service_type = models.CharField(
        max_length=30, choices=Type.choices, default=Type.SERVICE, verbose_name=_("service type")
    )
    charge_type = models.CharField(
        max_length=10, choices=ChargeType.choices, blank=True, verbose_name=_("charge type")
    )
    area_type = models.CharField(
        max_length=30,
        choices=AreaType.choices,
        default=AreaType.LIMITED,
        verbose_name=_("area type"),
    )
    domain = models.CharField(max_length=30, choices=Domain.choices, verbose_name=_("domain"))
    accepts_feedback = models.BooleanField(
        default=True,
        help_text=_("Offered for feedback and service requests (Open311)."),
        verbose_name=_("accepts feedback"),
    )
    languages = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Languages the service is given in: fi, sv, en."),
        verbose_name=_("languages"),
    )
    service_classes = models.ManyToManyField(
        ServiceClass, blank=True, related_name="services", verbose_name=_("service classes")
    )
    target_groups = models.ManyToManyField(
        TargetGroup, blank=True, related_name="services", verbose_name=_("target groups")
    )
    life_events = models.ManyToManyField(
        LifeEvent, blank=True, related_name="services", verbose_name=_("life events")
    )
    areas = models.ManyToManyField(
        Area, blank=True, related_name="services", verbose_name=_("areas")
    )
    channels: models.ManyToManyField[ServiceChannel, Any] = models.ManyToManyField(
        "ServiceChannel",
        blank=True,
        related_name="services",
        verbose_name=_("service channels"),
    )
    organisations = models.ManyToManyField(
        Organisation,
        through="ServiceOrganisation",
        related_name="services",
        verbose_name=_("organisations"),
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.slug

    def text(self, kind: str, language: str | None = None) -> str:
        """The text of `kind` in the language, falling back to Finnish (PTV's required one)."""
        return _pick_text(self.texts.all(), kind, language)

    def name(self, language: str | None = None) -> str:
        return self.text(ServiceText.Kind.NAME, language) or self.slug

    def summary(self, language: str | None = None) -> str:
        return self.text(ServiceText.Kind.SUMMARY, language)

    def description(self, language: str | None = None) -> str:
        return self.text(ServiceText.Kind.DESCRIPTION, language)

    def keywords(self, language: str | None = None) -> list[str]:
        language = language or get_language() or "fi"
        return [
            t.value
            for t in self.texts.all()
            if t.kind == ServiceText.Kind.KEYWORD and t.language == language
        ]


class ServiceText(TranslatedText):
    class Kind(models.TextChoices):
        """PTV's name and description types, and keywords (one row per keyword)."""

        NAME = "Name", _("name")
        ALTERNATIVE_NAME = "AlternativeName", _("alternative name")
        SUMMARY = "Summary", _("summary")
        DESCRIPTION = "Description", _("description")
        USER_INSTRUCTION = "UserInstruction", _("user instruction")
        CONDITIONS = "ServiceChargeType", _("charge information")
        KEYWORD = "Keyword", _("keyword")
        REQUIREMENTS = "Requirements", _("requirements")
        DEADLINE = "DeadLine", _("deadline")
        PROCESSING_TIME = "ProcessingTime", _("processing time")
        VALIDITY_TIME = "ValidityTime", _("validity time")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="texts", verbose_name=_("service")
    )

    class Meta:
        indexes = [models.Index(fields=["service", "kind", "language"])]
        verbose_name = _("service text")
        verbose_name_plural = _("service texts")


class ServiceOrganisation(models.Model):
    """An organisation's role in a service: responsible (organiser) or producer."""

    class Role(models.TextChoices):
        RESPONSIBLE = "Responsible", _("responsible")
        PRODUCER = "Producer", _("producer")

    class ProvisionType(models.TextChoices):
        SELF_PRODUCED = "SelfProducedServices", _("self-produced")
        PURCHASED = "PurchaseServices", _("purchased")
        OTHER = "Other", _("other")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="roles", verbose_name=_("service")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="service_roles",
        verbose_name=_("organisation"),
    )
    role = models.CharField(max_length=12, choices=Role.choices, verbose_name=_("role"))
    provision_type = models.CharField(
        max_length=24,
        choices=ProvisionType.choices,
        blank=True,
        help_text=_("Only for producers."),
        verbose_name=_("provision type"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "organisation", "role"], name="unique_service_organisation_role"
            ),
            models.CheckConstraint(
                condition=models.Q(role="Producer") | models.Q(provision_type=""),
                name="provision_type_only_for_producers",
            ),
        ]
        verbose_name = _("service organisation")
        verbose_name_plural = _("service organisations")

    def __str__(self) -> str:
        return f"{self.service} – {self.organisation} ({self.role})"


class ServiceChannel(TimeStampedModel):
    """A way to get a service: an e-service, a web page, a form, a phone line or a place."""

    class Type(models.TextChoices):
        """PTV ServiceChannelTypeEnum."""

        E_CHANNEL = "EChannel", _("e-service")
        WEB_PAGE = "WebPage", _("web page")
        PRINTABLE_FORM = "PrintableForm", _("printable form")
        PHONE = "Phone", _("phone")
        SERVICE_LOCATION = "ServiceLocation", _("service location")

    slug = models.SlugField(max_length=100, unique=True, verbose_name=_("identifier"))
    ptv_id = models.UUIDField(
        null=True, blank=True, unique=True, default=None, verbose_name=_("PTV ID")
    )
    source = models.CharField(max_length=20, default="luukku", verbose_name=_("source"))
    channel_type = models.CharField(
        max_length=20, choices=Type.choices, verbose_name=_("channel type")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="channels",
        verbose_name=_("organisation"),
    )
    is_mobile = models.BooleanField(
        default=False,
        help_text=_("A mobile service point (palveluauto) with a route of stops."),
        verbose_name=_("mobile service point"),
    )
    url = models.URLField(max_length=500, blank=True, verbose_name=_("web address"))
    phone = models.CharField(max_length=40, blank=True, verbose_name=_("phone number"))
    phone_charge = models.CharField(max_length=200, blank=True, verbose_name=_("phone charge"))
    email = models.EmailField(blank=True, verbose_name=_("email"))
    street_address = models.CharField(max_length=200, blank=True, verbose_name=_("street address"))
    postal_code = models.CharField(max_length=5, blank=True, verbose_name=_("postal code"))
    post_office = models.CharField(max_length=100, blank=True, verbose_name=_("post office"))
    municipality = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="channels",
        limit_choices_to={"area_type": Area.Type.MUNICIPALITY},
        verbose_name=_("municipality"),
    )
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("latitude")
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("longitude")
    )
    areas = models.ManyToManyField(
        Area, blank=True, related_name="served_by_channels", verbose_name=_("areas served")
    )
    languages = models.JSONField(default=list, blank=True, verbose_name=_("languages"))

    class Meta:
        ordering = ["slug"]
        verbose_name = _("service channel")
        verbose_name_plural = _("service channels")

    def __str__(self) -> str:
        return self.slug

    def text(self, kind: str, language: str | None = None) -> str:
        return _pick_text(self.texts.all(), kind, language)

    def name(self, language: str | None = None) -> str:
        return self.text(ChannelText.Kind.NAME, language) or self.slug


class ChannelText(TranslatedText):
    class Kind(models.TextChoices):
        NAME = "Name", _("name")
        ALTERNATIVE_NAME = "AlternativeName", _("alternative name")
        SUMMARY = "Summary", _("summary")
        DESCRIPTION = "Description", _("description")

    channel = models.ForeignKey(
        ServiceChannel,
        on_delete=models.CASCADE,
        related_name="texts",
        verbose_name=_("service channel"),
    )

    class Meta:
        verbose_name = _("service channel text")
        verbose_name_plural = _("service channel texts")


class ServiceHours(models.Model):
    """Opening hours of a channel, one row per weekday span (PTV serviceHours)."""

    class Kind(models.TextChoices):
        STANDARD = "DaysOfTheWeek", _("regular hours")
        EXCEPTION = "Exception", _("exceptional hours")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    channel = models.ForeignKey(
        ServiceChannel,
        on_delete=models.CASCADE,
        related_name="hours",
        verbose_name=_("service channel"),
    )
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.STANDARD, verbose_name=_("type")
    )
    valid_from = models.DateField(null=True, blank=True, verbose_name=_("valid from"))
    valid_to = models.DateField(null=True, blank=True, verbose_name=_("valid until"))
    weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, null=True, blank=True, verbose_name=_("weekday")
    )
    opens = models.TimeField(null=True, blank=True, verbose_name=_("opens"))
    closes = models.TimeField(null=True, blank=True, verbose_name=_("closes"))
    is_closed = models.BooleanField(default=False, verbose_name=_("closed"))
    description = models.CharField(max_length=200, blank=True, verbose_name=_("description"))

    class Meta:
        ordering = ["channel", "kind", "weekday", "opens"]
        verbose_name = _("opening hours entry")
        verbose_name_plural = _("opening hours")

    def __str__(self) -> str:
        return f"{self.channel} {self.weekday} {self.opens}-{self.closes}"


class MobileStop(models.Model):
    """A weekly stop of a mobile service point (palveluauto) on its route."""

    channel = models.ForeignKey(
        ServiceChannel,
        on_delete=models.CASCADE,
        related_name="stops",
        limit_choices_to={"is_mobile": True},
        verbose_name=_("service channel"),
    )
    municipality = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="mobile_stops",
        limit_choices_to={"area_type": Area.Type.MUNICIPALITY},
        verbose_name=_("municipality"),
    )
    place = models.CharField(max_length=200, verbose_name=_("place"))
    street_address = models.CharField(max_length=200, blank=True, verbose_name=_("street address"))
    weekday = models.PositiveSmallIntegerField(
        choices=ServiceHours.Weekday.choices, verbose_name=_("weekday")
    )
    arrives = models.TimeField(verbose_name=_("arrives"))
    departs = models.TimeField(verbose_name=_("departs"))
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("latitude")
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("longitude")
    )

    class Meta:
        ordering = ["channel", "weekday", "arrives"]
        verbose_name = _("mobile service point stop")
        verbose_name_plural = _("mobile service point stops")

    def __str__(self) -> str:
        return f"{self.channel} {self.place} {self.weekday} {self.arrives}"


class SearchTerm(models.Model):
    """Precomputed search index: one row per (service, language, lemma or compound part).

    Built by `catalogue.search.index_services`; never edited by hand. The (language, term)
    index also carries the service and weight, so that ranking reads the index alone; the
    (service, language, term) index serves the look-ups of a known service's terms and the
    deletes of reindexing. There is one row per (service, language, term): indexing replaces a
    service's rows while holding the service's row lock.
    """

    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        related_name="search_terms",
        db_index=False,
        verbose_name=_("service"),
    )
    language = models.CharField(max_length=8, verbose_name=_("language"))
    term = models.CharField(max_length=100, verbose_name=_("term"))
    weight = models.FloatField(verbose_name=_("weight"))

    class Meta:
        indexes = [
            models.Index(
                fields=["language", "term", "service", "weight"], name="search_term_postings"
            ),
            models.Index(fields=["service", "language", "term"], name="search_term_by_service"),
        ]
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return f"{self.language}:{self.term} → {self.service_id} ({self.weight})"


def _pick_text(texts: object, kind: str, language: str | None) -> str:
    language = language or get_language() or "fi"
    fallback = ""
    for text in texts:  # type: ignore[attr-defined]
        if text.kind != kind:
            continue
        if text.language == language:
            return str(text.value)
        if text.language == "fi" and not fallback:
            fallback = str(text.value)
    return fallback
