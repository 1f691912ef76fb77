"""The web process: webhooks, health check, and (later) the agency API and console."""
