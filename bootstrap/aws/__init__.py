"""The only place that makes AWS sessions and clients: one factory, retries configured once."""
