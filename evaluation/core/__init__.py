"""Shared foundations every layer may import: params, the canonical contract, the vocabulary."""
