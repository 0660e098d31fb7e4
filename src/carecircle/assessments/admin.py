"""Assessments hold health data about named people: deliberately not in the Django admin, whose
only users are system administrators without data permissions (R3, R4)."""
