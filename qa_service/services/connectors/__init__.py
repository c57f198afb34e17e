"""Connector use cases: configuration per tenant, connection checks, and one ingestion run."""
