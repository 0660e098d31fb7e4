"""Not registered in the Django admin: call devices and calls are records about elders (personal
data), kept through the scoped pages and API only (R3, R24)."""
