"""Headless sub-commands of ``visualnn``: train, predict, listen. None of them loads Qt."""
