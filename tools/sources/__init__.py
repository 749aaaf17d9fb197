"""Source adapters: parsers that turn Square and Deliverect payloads into normalized records.

The same parser reads fixture files and live API responses, so the code under test is the code in production.
"""
