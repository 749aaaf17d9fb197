"""The fictional demo business and the generator of its source payloads."""
