"""The shared kernel: settings, clock, ids, errors, observability, AWS clients, transactions,
cursors and the event envelope. Depends on nothing else in oshi."""
