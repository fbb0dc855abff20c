"""`qa doctor`: checks on a store, and the repairs for what they find."""
