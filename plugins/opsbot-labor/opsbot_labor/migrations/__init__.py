"""The plugin's Alembic revisions, applied by opsbot's store opener with their own version table."""
