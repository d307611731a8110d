"""The deterministic synthetic demo partnership: generate it, load it, export it."""
