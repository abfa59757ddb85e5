"""Rare-disease interpretation (DESIGN §6): find the diagnosis among a family's variants,
explain every filtering decision, and rank genes with a calibrated posterior."""
