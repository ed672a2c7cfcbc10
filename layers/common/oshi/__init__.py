"""The oshi gacha platform's common layer: settings, observability, errors, routes, data and events.

Imported the same way in tests, in the local stack and on Lambda (where it lives in the shared layer).
Modules here import lazily what is heavy so that each handler pays only for what it uses at cold start.
"""
