from rest_framework.routers import DefaultRouter

from carecircle.adaptations.api import views

router = DefaultRouter()
router.register("adaptation-projects", views.AdaptationProjectViewSet, basename="adaptationproject")
router.register("family-care-beds", views.FamilyCareBedViewSet, basename="familycarebed")
urlpatterns = router.urls
