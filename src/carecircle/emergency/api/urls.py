from rest_framework.routers import DefaultRouter

from carecircle.emergency.api import views

router = DefaultRouter()
router.register("call-devices", views.CallDeviceViewSet, basename="calldevice")
router.register("call-events", views.CallEventViewSet, basename="callevent")
urlpatterns = router.urls
