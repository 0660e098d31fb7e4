"""Pages of the enrolment app: classes and rosters, applications and offers, enrolments and the
configuration tables. Every view starts from ``objects.for_user`` (R1)."""
