"""Nothing of this app is in the admin site: visits, pairs, help and wishes are personal records
(R3, R24), kept through the scoped pages and the API only."""
