"""The extractive reader: which sentence answers a question, and the short answer inside it."""
