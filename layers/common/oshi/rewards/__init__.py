"""Rewards: the reward box, oshi medals and their ledger, reward queries, downloads and the
exchange shop."""
