"""Who sees which home-care rows.

* The menu and the entitlement rules are city-wide reference data: any user with a scope reads
  them (what they may do is a matter of permissions).
* A provider's staff see their own provider's rows only (contracts, entitlements it serves,
  orders, settlements).
* Area users see records about persons through the person's village, and provider records
  through the provider's location, in their elderly domain.
"""

from __future__ import annotations

from django.db.models import Q

from carecircle.core.models import area_scope_q


def reference_scope_q(user) -> Q | None:
    if user.scope_area_id or user.institution_id:
        return Q()
    return None


def provider_scope_q(user, provider: str = "provider") -> Q | None:
    if user.institution_id:
        return Q(**{f"{provider}_id": user.institution_id})
    return area_scope_q(user, f"{provider}__area", f"{provider}__domain")


def person_scope_q(user, provider: str = "provider") -> Q | None:
    """Records about a person that one provider keeps (entitlements served, orders)."""
    if user.institution_id:
        return Q(**{f"{provider}_id": user.institution_id})
    return area_scope_q(user, "person__area", "person__domain")
