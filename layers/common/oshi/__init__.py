"""The oshi gacha platform's common layer: the domain, one package per bounded context.

Packages, lowest first; each imports only itself and those before it (tests/unit/test_package_graph.py):
kernel, models, audit, events, identity, draw, catalogue, rewards, commerce, fulfilment, web.
Imported the same way in tests, in the local stack and on Lambda (where it lives in the shared layer).
Package ``__init__`` modules stay empty so that each handler pays at cold start only for the modules it
uses; heavy libraries are imported lazily where only some callers need them.
"""
