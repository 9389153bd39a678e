"""Stages of the lead pipeline (seed 004 ConnectionStage)."""
