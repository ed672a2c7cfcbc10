"""Commerce: orders, spending caps, payment adapters (Stripe, KOMOJU) and the webhook use case,
refunds, reconciliation and sales."""
