"""The API's shared parts: tokens, bearer auth, pagination, problem+json errors, the spec."""
