-- The previous punch of an officer (speed check) is read on every clock event: index it.
CREATE INDEX clock_events_officer_time ON clock_events (officer_id, device_us);
