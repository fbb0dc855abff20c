"""Model backends: one registry from settings to objects, the OpenAI-compatible client, the offline extractive model, WordLlama."""
