"""Troposphere builders, one module per blueprint.

Each blueprint turns the spec into a `Blueprint`: the CloudFormation template users review and the
`Resource`s the direct engine applies, made from the same troposphere objects.
"""
