"""Source adapters, one folder per source (``square/``, ``deliverect/``, and ``fixtures/``, which replays
both): each holds its client, parser, sync and one ingest function; the records they parse into and the
payload, API-call and platform helpers they share are at this level.

The same parser reads fixture files and live API responses, so the code under test is the code in production.
"""
