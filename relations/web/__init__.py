"""The web service: a JSON API and a dashboard over the same services as the CLI."""
