"""Saga Lab driven from outside, for tests/ and bench/ alike: its server processes and the
services beside them (Redis, PostgreSQL, nginx) in `processes`, chromium in `browser`."""
