"""The normalized SQL store: tables, the engine opener, and migrations."""
