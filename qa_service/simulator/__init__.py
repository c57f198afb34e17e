"""A stand-in for the airline's platform: sample calls, chats, e-mails, statuses and staffing over HTTP.

A separate tool for the demo and the tests (`qa-service simulate-platform`), not part of the
product's web app.  Everything is deterministic for a seed; times are relative to the
moment the server starts, so the demo looks live.
"""
