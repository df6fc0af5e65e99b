"""`bootstrap status`: manual runbook steps verified against live state where AWS lets us read them."""
