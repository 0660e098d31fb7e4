from rest_framework.routers import DefaultRouter

from carecircle.enrolment.api import views

router = DefaultRouter()
router.register("childcare-classes", views.ChildcareClassViewSet, basename="childcareclass")
router.register("childcare-applications", views.ApplicationViewSet, basename="childcareapplication")
router.register("childcare-offers", views.OfferViewSet, basename="childcareoffer")
router.register("childcare-enrolments", views.EnrolmentViewSet, basename="childcareenrolment")
urlpatterns = router.urls
