"""The guardrail library (`scps/`) and the packer that fits chosen guardrails into SCPs."""
