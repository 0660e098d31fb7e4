from rest_framework.routers import DefaultRouter

from carecircle.institutions.api import views

router = DefaultRouter()
router.register("providers", views.ProviderViewSet, basename="provider")
router.register("capacity-records", views.CapacityRecordViewSet, basename="capacityrecord")
router.register("designations", views.DesignationViewSet, basename="designation")
router.register("grades", views.GradeViewSet, basename="grade")
router.register("staff", views.StaffViewSet, basename="staff")
router.register("credit-listings", views.CreditListingViewSet, basename="creditlisting")
urlpatterns = router.urls
