from rest_framework.routers import DefaultRouter

from carecircle.funds.api import views

router = DefaultRouter()
router.register("lottery-allocations", views.LotteryAllocationViewSet, basename="lotteryallocation")
urlpatterns = router.urls
