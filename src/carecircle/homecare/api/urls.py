from rest_framework.routers import DefaultRouter

from carecircle.homecare.api import views

router = DefaultRouter()
router.register("service-items", views.ServiceItemViewSet, basename="serviceitem")
router.register("homecare-contracts", views.ProviderContractViewSet, basename="providercontract")
router.register("entitlement-rules", views.EntitlementRuleViewSet, basename="entitlementrule")
router.register("entitlements", views.EntitlementViewSet, basename="entitlement")
router.register("service-orders", views.ServiceOrderViewSet, basename="serviceorder")
router.register("settlements", views.SettlementViewSet, basename="settlement")
urlpatterns = router.urls
