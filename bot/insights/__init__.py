"""Insights opsbot pushes without being asked: the morning brief (``brief.py`` gathers it from the tools,
``brief_text.py`` writes it for a terminal, ``brief_blocks.py`` as Slack Block Kit, ``post.py`` posts it),
its schedule and the anomaly alerts (``schedule.py``, exactly once through ``claims.py`` and ``tables.py``),
and the brief as context for replies in its thread (``thread_context.py``)."""
