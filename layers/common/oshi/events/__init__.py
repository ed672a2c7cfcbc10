"""Events on the bus: the envelope and publisher (bus), and the declaration of every event (one module,
read by producers, consumers, the topology and docs/events.md)."""
