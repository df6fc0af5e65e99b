"""Jinja2 templates (`*.md.j2`) of the runbooks that `bootstrap render` writes."""
