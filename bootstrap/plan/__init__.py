"""Plan: the pure diff of desired against observed state, its ordering, its printers and its file format."""
