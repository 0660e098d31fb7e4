from rest_framework.routers import DefaultRouter

from carecircle.accounts.api import views

router = DefaultRouter()
router.register("me", views.MeViewSet, basename="me")
router.register("auth/token", views.TokenViewSet, basename="token")
urlpatterns = router.urls
