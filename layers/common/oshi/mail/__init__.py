"""Mail (issue 18): templates (Japanese and English, text and HTML), the SES outbox, the suppression list."""
