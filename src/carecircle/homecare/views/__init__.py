"""Home-care pages: the menu, contracts, rules and entitlements (``menu``), service orders
(``orders``) and month-end settlements (``settlements``)."""
