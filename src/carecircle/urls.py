from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from carecircle.core.views import set_language

admin.site.site_header = "CareCircle 系统管理"
admin.site.site_title = "CareCircle"

urlpatterns = [
    path("", include("carecircle.dashboard.urls")),
    path("accounts/", include("carecircle.accounts.urls")),
    path("areas/", include("carecircle.areas.urls")),
    path("institutions/", include("carecircle.institutions.urls")),
    path("persons/", include("carecircle.persons.urls")),
    path("indicators/", include("carecircle.indicators.urls")),
    path("assessments/", include("carecircle.assessments.urls")),
    path("homecare/", include("carecircle.homecare.urls")),
    path("visits/", include("carecircle.visits.urls")),
    path("adaptations/", include("carecircle.adaptations.urls")),
    path("emergency/", include("carecircle.emergency.urls")),
    path("referrals/", include("carecircle.referrals.urls")),
    path("health/", include("carecircle.health.urls")),
    path("funds/", include("carecircle.funds.urls")),
    path("childcare/", include("carecircle.childcare.urls")),
    path("enrolment/", include("carecircle.enrolment.urls")),
    path("childhealth/", include("carecircle.childhealth.urls")),
    path("portal/", include("carecircle.portal.urls")),
    path("audit/", include("carecircle.audit.urls")),
    path("imports/", include("carecircle.core.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", include("carecircle.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("sysadmin/", admin.site.urls),
]
