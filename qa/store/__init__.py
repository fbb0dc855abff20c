"""The article store: Chroma (embedded or a server), its records and filters, lock, crash safety,
self-check, and the maintenance calls `qa doctor` uses. `open_store` (qa/store/opening.py) opens
the store the settings name."""
