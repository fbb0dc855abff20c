"""From retrieved passages to a verified Answer: prompts, the chain, reply parsing, citation checks."""
