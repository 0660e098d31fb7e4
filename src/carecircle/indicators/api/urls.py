from rest_framework.routers import DefaultRouter

from carecircle.indicators.api import views

router = DefaultRouter()
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("indicator-targets", views.TargetViewSet, basename="indicatortarget")
router.register("indicator-values", views.IndicatorValueViewSet, basename="indicatorvalue")
urlpatterns = router.urls
