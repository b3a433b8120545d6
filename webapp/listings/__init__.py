"""Pure listing logic: AliExpress category schemas, the product payload and its quality report.

Standard library and the policy engine only; no Flask, no database, no network.
"""
