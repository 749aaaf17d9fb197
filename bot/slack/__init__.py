"""The Slack app: Bolt listeners, the responder that answers in threads, Socket Mode and HTTP mode."""
