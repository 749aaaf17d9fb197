"""The interactive session: ``opsbot`` / ``opsbot repl`` in a terminal, or questions piped on stdin."""
