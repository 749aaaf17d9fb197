"""Insights pushed to Slack: the morning brief, its schedule and the anomaly alerts."""
