-- Notification channels and quiet hours per officer (offduty_domain::prefs::Preferences).
ALTER TABLE users ADD COLUMN prefs_json TEXT NOT NULL DEFAULT '{"channels":{"push":true,"sms":false,"email":true},"quiet_hours":[],"version":0}';
