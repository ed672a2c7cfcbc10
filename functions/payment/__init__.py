"""payment service handlers (one module per endpoint or consumer)."""
