"""The local stack: the same handlers on moto, behind a local API gateway and event pump."""
