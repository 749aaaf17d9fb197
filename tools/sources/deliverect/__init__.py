"""Deliverect: its API client, payload parser, one ingest path, order webhook (and its signature) and
backfill."""
