from rest_framework.routers import DefaultRouter

from carecircle.health.api import views

router = DefaultRouter()
router.register("health-checks", views.ElderHealthCheckViewSet, basename="elderhealthcheck")
urlpatterns = router.urls
