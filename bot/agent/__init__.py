"""The agent: one Claude tool-use loop per question, persisted step by step (see ``loop.Agent``)."""
