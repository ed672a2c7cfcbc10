"""Fulfilment: turning a paid order into draws, medals and rewards in one transaction, and
notifying the fan."""
