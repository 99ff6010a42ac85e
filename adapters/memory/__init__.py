"""In-memory adapters: real classes behind every port, for tests and the local demo.

They behave like the DynamoDB adapters (same atomicity, conditions, errors and ordering); the
contract suites in tests/contract run against both.
"""
