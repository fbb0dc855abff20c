"""The article store: Chroma (embedded or a server), its records, lock, and safety checks."""
