"""Connectors: read institutional MIS exports into validated, normalised records.

A connector reads one export format as a stream and yields ``ParsedRecord`` items (a typed
record plus its issues). The loader in ``hub.store`` writes a whole batch atomically.
"""
