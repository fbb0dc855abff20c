"""`qa doctor`: checks on a store (checks.py), the repairs for what they find (repair.py), and
what both read and judge (inspect.py)."""
