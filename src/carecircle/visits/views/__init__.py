"""Pages of the visits app: the monthly due list and visits, 一助一 helpers and pairs, and wishes
for concentrated care. Every page starts from ``objects.for_user`` (out of scope: 404)."""
