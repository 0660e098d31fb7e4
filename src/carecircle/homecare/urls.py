from django.urls import path

from carecircle.homecare.views import menu, orders, settlements

app_name = "homecare"
urlpatterns = [
    # The service menu, contracts, entitlement rules and entitlements.
    path("items/", menu.ServiceItemListView.as_view(), name="item-list"),
    path("items/new/", menu.ServiceItemCreateView.as_view(), name="item-create"),
    path("items/<uuid:uuid>/edit/", menu.ServiceItemUpdateView.as_view(), name="item-update"),
    path("contracts/", menu.ProviderContractListView.as_view(), name="contract-list"),
    path("contracts/new/", menu.ProviderContractCreateView.as_view(), name="contract-create"),
    path(
        "contracts/<uuid:uuid>/",
        menu.ProviderContractDetailView.as_view(),
        name="contract-detail",
    ),
    path(
        "contracts/<uuid:uuid>/edit/",
        menu.ProviderContractUpdateView.as_view(),
        name="contract-update",
    ),
    path("rules/", menu.EntitlementRuleListView.as_view(), name="rule-list"),
    path("rules/new/", menu.EntitlementRuleCreateView.as_view(), name="rule-create"),
    path("rules/<uuid:uuid>/edit/", menu.EntitlementRuleUpdateView.as_view(), name="rule-update"),
    path("rules/grant/", menu.GrantEntitlementsView.as_view(), name="grant"),
    path("entitlements/", menu.EntitlementListView.as_view(), name="entitlement-list"),
    path("entitlements/new/", menu.EntitlementCreateView.as_view(), name="entitlement-create"),
    path(
        "entitlements/<uuid:uuid>/edit/",
        menu.EntitlementUpdateView.as_view(),
        name="entitlement-update",
    ),
    # Service orders.
    path("orders/", orders.ServiceOrderListView.as_view(), name="order-list"),
    path("orders/new/", orders.ServiceOrderCreateView.as_view(), name="order-create"),
    path("orders/<uuid:uuid>/", orders.ServiceOrderDetailView.as_view(), name="order-detail"),
    path(
        "orders/<uuid:uuid>/check-in/",
        orders.TimedActionView.as_view(action="check-in"),
        name="order-check-in",
    ),
    path(
        "orders/<uuid:uuid>/check-out/",
        orders.TimedActionView.as_view(action="check-out"),
        name="order-check-out",
    ),
    path(
        "orders/<uuid:uuid>/complete/",
        orders.OrderActionView.as_view(action="complete"),
        name="order-complete",
    ),
    path(
        "orders/<uuid:uuid>/cancel/",
        orders.OrderActionView.as_view(action="cancel"),
        name="order-cancel",
    ),
    path(
        "orders/<uuid:uuid>/missed/",
        orders.OrderActionView.as_view(action="missed"),
        name="order-missed",
    ),
    path("orders/<uuid:uuid>/rate/", orders.RateView.as_view(), name="order-rate"),
    # Month-end settlement.
    path("settlements/", settlements.SettlementListView.as_view(), name="settlement-list"),
    path("settlements/run/", settlements.SettlementRunView.as_view(), name="settlement-run"),
    path(
        "settlements/<uuid:uuid>/",
        settlements.SettlementDetailView.as_view(),
        name="settlement-detail",
    ),
    path(
        "settlements/<uuid:uuid>/approve/",
        settlements.SettlementApproveView.as_view(),
        name="settlement-approve",
    ),
    path(
        "settlements/<uuid:uuid>/rerun/",
        settlements.SettlementRerunView.as_view(),
        name="settlement-rerun",
    ),
]
