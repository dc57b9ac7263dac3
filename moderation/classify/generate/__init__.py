"""Generators for the versioned data files the text tier ships (run by hand; never at run time)."""
