"""Coverage for planners: who is within reach of a station, and where new ones would help."""
