"""``opsbot serve``: the HTTP endpoints (Slack events, webhooks, health) on one small server."""
