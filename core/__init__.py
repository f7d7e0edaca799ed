"""Concord core."""
