-- Local mode keeps what Slack would have shown, so the console can show it the same way:
-- the message's ts (updates find the message they replace), its Block Kit JSON, who an
-- ephemeral is for, and the slash command it answers.
ALTER TABLE local_messages ADD COLUMN ts TEXT;
ALTER TABLE local_messages ADD COLUMN blocks TEXT;
ALTER TABLE local_messages ADD COLUMN user_id TEXT;
ALTER TABLE local_messages ADD COLUMN typed TEXT;
