"""The draw: the exact integer draw engine, rate tables, provably-fair derivation and its store."""
