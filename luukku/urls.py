"""URL layout: public pages under a language prefix (none for Finnish), APIs and admin without."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from luukku.core.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    # Load balancers' probe: no language prefix, no login, exempt from the HTTPS redirect.
    path("healthz/", healthz, name="healthz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/routing/", include("luukku.router.api_urls")),
    path("api/v1/surveys/", include("luukku.surveys.api_urls")),
    path("api/v1/", include("luukku.catalogue.api_urls")),
    path("open311/v2/", include("luukku.intake.open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("staff/catalogue/", include("luukku.catalogue.staff_urls")),
    path("staff/palaute/", include("luukku.intake.staff_urls")),
    path("staff/notifications/", include("luukku.notifications.urls")),
    path("staff/cases/", include("luukku.cases.urls")),
    path("staff/surveys/", include("luukku.surveys.urls_staff")),
    path("staff/ideas/", include("luukku.ideas.urls")),
    path("staff/panels/", include("luukku.panels.urls_staff")),
    path("staff/insights/", include("luukku.insights.urls")),
    path("staff/", include("luukku.accounts.urls")),
    path("saavutettavuus/", include("luukku.accessibility.urls")),
    path("palaute/", include("luukku.intake.urls_public")),
    path("kysely/", include("luukku.surveys.urls_public")),
    path("raati/", include("luukku.panels.urls_public")),
    path("", include("luukku.catalogue.urls")),
    prefix_default_language=False,
)
