from rest_framework.routers import DefaultRouter

from carecircle.areas.api import views

router = DefaultRouter()
router.register("areas", views.AreaViewSet, basename="area")
router.register("population-facts", views.PopulationFactViewSet, basename="populationfact")
router.register("estates", views.ResidentialAreaViewSet, basename="residentialarea")
urlpatterns = router.urls
