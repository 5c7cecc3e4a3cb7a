"""Thin handlers, one per AWS operation: typed input in, one domain call, output out."""
