from rest_framework.routers import DefaultRouter

from carecircle.childhealth.api import views

router = DefaultRouter()
router.register("newborn-visits", views.NewbornVisitViewSet, basename="newbornvisit")
router.register("newborn-screenings", views.NewbornScreeningViewSet, basename="newbornscreening")
router.register("vaccinations", views.VaccinationViewSet, basename="vaccination")
router.register("child-health-checks", views.ChildHealthCheckViewSet, basename="childhealthcheck")
router.register(
    "development-guidance", views.DevelopmentGuidanceViewSet, basename="developmentguidance"
)
router.register("vaccine-doses", views.VaccineDoseViewSet, basename="vaccinedose")
urlpatterns = router.urls
