"""Staff users and their organisation-scoped roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from luukku.organisations.models import Organisation

from .roles import ROLE_PERMISSIONS, VIEW_AUDIT_LOG, Role


class User(AbstractUser):
    """A staff member. Residents do not log in here (they use the public pages and e-services)."""

    def memberships_with(self, permission: str) -> list[Membership]:
        return [m for m in self._memberships() if permission in ROLE_PERMISSIONS[m.role]]

    def has_org_permission(self, permission: str, organisation: Organisation | None = None) -> bool:
        """True when a role grants `permission` in `organisation` or in one of its parents.

        Without an organisation: whether the user holds the permission anywhere.
        """
        if not self.is_active:
            return False
        granting = {m.organisation_id for m in self.memberships_with(permission)}
        if organisation is None:
            return bool(granting)
        return any(org.pk in granting for org in organisation.ancestors_and_self())

    def organisations_with(self, permission: str) -> models.QuerySet[Organisation]:
        """Organisations where `permission` holds: the granting ones and all their units."""
        roots = {m.organisation_id for m in self.memberships_with(permission)}
        scope: set[int] = set()
        frontier = set(roots)
        while frontier:
            scope |= frontier
            frontier = (
                set(
                    Organisation.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
                )
                - scope
            )
        return Organisation.objects.filter(pk__in=scope)

    def audit_actor_scope(self) -> models.QuerySet[User] | None:
        """Whose audit events this user may read; None means everyone's.

        The region admin (and a superuser) reads the whole log; an organisation admin reads
        the events of the staff of the organisations where they hold VIEW_AUDIT_LOG.
        """
        if self.is_superuser or any(m.role == Role.REGION_ADMIN for m in self._memberships()):
            return None
        organisations = self.organisations_with(VIEW_AUDIT_LOG)
        return User.objects.filter(memberships__organisation__in=organisations).distinct()

    def _memberships(self) -> list[Membership]:
        cached: list[Membership] | None = getattr(self, "_membership_cache", None)
        if cached is None:
            cached = list(self.memberships.all())
            self._membership_cache = cached
        return cached


class Membership(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(max_length=30, choices=Role.choices, verbose_name=_("role"))
    granted_at = models.DateTimeField(auto_now_add=True, verbose_name=_("granted at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership_role"
            ),
        ]
        verbose_name = _("role membership")
        verbose_name_plural = _("role memberships")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} @ {self.organisation}"
