"""Coverage: how many people live within reach of a worker station, and where to add one."""
