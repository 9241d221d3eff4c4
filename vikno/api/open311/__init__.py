"""Open311 GeoReport v2: the standard civic-issue API over the case file (ADR 0032)."""
