"""Insights opsbot pushes without being asked: the morning brief (``brief.py`` gathers it from the tools,
``brief_text.py`` writes it for a terminal, ``brief_blocks.py`` as Slack Block Kit, ``post.py`` posts it)."""
