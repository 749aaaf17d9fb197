"""Square: its API client, payload parser, one ingest path and live sync."""
