"""Not registered in the Django admin: adaptation projects and family care beds are records about
elders (personal data), kept through the scoped pages and API only (R3, R24)."""
