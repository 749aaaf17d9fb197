"""opsbot's application layer: settings, the command line, and (later) the agent loop and front ends."""
