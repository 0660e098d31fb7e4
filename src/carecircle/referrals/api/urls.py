from rest_framework.routers import DefaultRouter

from carecircle.referrals.api import views

router = DefaultRouter()
router.register("hospitals", views.HospitalViewSet, basename="hospital")
router.register("referrals", views.ReferralViewSet, basename="referral")
urlpatterns = router.urls
