from rest_framework.routers import DefaultRouter

from carecircle.visits.api import views

router = DefaultRouter()
router.register("visits", views.VisitViewSet, basename="visit")
router.register("helpers", views.HelperViewSet, basename="helper")
router.register("pairings", views.PairingViewSet, basename="pairing")
router.register("help-logs", views.HelpLogViewSet, basename="helplog")
router.register("care-wishes", views.CareWishViewSet, basename="carewish")
urlpatterns = router.urls
