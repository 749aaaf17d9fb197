"""``opsbot eval``: a bank of owner questions with facts computed from named tool calls, run through the real
agent per model, scored for facts, provenance, calls, latency, tokens and cost."""
