"""Unified addresses: normalisation of Chinese address text, matching, search."""
