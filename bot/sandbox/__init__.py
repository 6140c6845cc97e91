"""A local ScheduCal: the documented API plus tools to play attendees and inspect deliveries.

- ``server``     :class:`SandboxServer` / ``create_sandbox_app`` (start here)
- ``api``        ``/api/v1/...`` exactly as ``shared/scheducal-api.md`` documents it
- ``simulate``   ``/sandbox/...``: attendee replies, events, replay, redeliver, faults
- ``state``      the in-memory world and the service's rules (duplicates, Gmail, SEQUENCE)
- ``delivery``   signed webhook delivery with the documented retry schedule
- ``ics``        the RFC 5545 invitation an attendee's calendar would receive
- ``validation`` field checks (wall times, IANA zones, e-mail addresses)
- ``ratelimit``  the per-account requests-per-minute limit
- ``faults``     injected failures (429, 500, HTML 502/503/504, slow answers)
- ``cli``        ``scheducal-bot sandbox``

It stands alone: it shares only webhook signing and event type names with ``bot.scheducal``.
"""
