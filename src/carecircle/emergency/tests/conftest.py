from carecircle.adaptations.tests.conftest import (  # noqa: F401  (shared fixtures)
    elder,
    other_elder,
    other_station,
    station,
    station_staff,
)
