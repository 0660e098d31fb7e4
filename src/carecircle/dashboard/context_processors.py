from carecircle.dashboard.hub import open_hubs


def service_hubs(request):
    """Which service hubs the navigation links to."""
    user = getattr(request, "user", None)
    hubs = open_hubs(user) if user is not None else set()
    return {"hub_elderly": "elderly" in hubs, "hub_childcare": "childcare" in hubs}
