"""Importing regional station lists: read, map columns, parse values, validate, deduplicate,
write, report."""
