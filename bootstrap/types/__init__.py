"""One module per AWS service: everything the engine knows about its resource types (`registry.py`)."""
