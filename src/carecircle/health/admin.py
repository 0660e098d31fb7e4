"""Health checks are personal health data and are deliberately not in the admin site (R3, R24)."""
