-- Outcomes the officer has not looked at yet ("your claim was refused: …").
ALTER TABLE outcomes ADD COLUMN seen INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outcomes_unseen ON outcomes (seen, decided_us);
