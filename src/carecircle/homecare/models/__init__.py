"""Government-purchased home care (政府购买居家养老服务): the service menu, provider contracts,
entitlement rules and entitlements, service orders and the month-end settlement."""

from carecircle.homecare.models.entitlements import Entitlement, EntitlementRule
from carecircle.homecare.models.menu import ProviderContract, ServiceItem
from carecircle.homecare.models.orders import ServiceOrder
from carecircle.homecare.models.settlements import Settlement, SettlementException, SettlementLine

__all__ = [
    "Entitlement",
    "EntitlementRule",
    "ProviderContract",
    "ServiceItem",
    "ServiceOrder",
    "Settlement",
    "SettlementException",
    "SettlementLine",
]
