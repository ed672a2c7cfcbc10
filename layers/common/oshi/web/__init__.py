"""The HTTP layer: the route table, access rule, handler builder, OpenAPI, rate limits and the
event topology. The domain never imports this package."""
