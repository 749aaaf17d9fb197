"""opsbot's data layer: source adapters, the normalized store, sync, and (later) analytics tools."""
