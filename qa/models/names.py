"""The offline models' names, in one place (settings' default, the registry, the UI's choices)."""

EXTRACTIVE = "extractive"  # the default answering model: offline, deterministic
EXTRACTIVE_NAIVE = "extractive-naive"  # the eval's baseline: no learned scorers, no abstention
