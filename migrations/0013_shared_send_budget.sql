-- Telegram's sending limits hold for all bot processes together: one row per chat with the
-- earliest moment its next message may go, and the row of chat 0 (no chat has that id) for
-- every chat together. Times are the server's clock_timestamp(), one clock for all processes.
-- Unlogged: after a crash of the server the slots start free, as after a second's pause.
CREATE UNLOGGED TABLE send_slots (
    chat_id  bigint PRIMARY KEY,
    next_at  timestamptz NOT NULL
);
CREATE INDEX send_slots_next_at ON send_slots (next_at);

-- Takes the next send slot for a chat, or says how long until the chat may be sent to again.
-- wait: seconds until the slot (reserved) or until asking again makes sense (not reserved).
-- A chat still waiting reserves nothing, so it never holds the other chats' sends back.
CREATE FUNCTION take_send_slot(
    p_chat_id bigint, p_overall interval, p_per_chat interval,
    OUT wait double precision, OUT reserved boolean
) LANGUAGE plpgsql AS $$
DECLARE
    v_now timestamptz;
    v_overall_next timestamptz;
    v_chat_next timestamptz;
    v_slot timestamptz;
BEGIN
    INSERT INTO send_slots (chat_id, next_at) VALUES (0, '-infinity') ON CONFLICT DO NOTHING;
    -- The row of every chat puts the takers in line, one at a time.
    SELECT next_at INTO v_overall_next FROM send_slots WHERE chat_id = 0 FOR UPDATE;
    v_now := clock_timestamp();
    SELECT next_at INTO v_chat_next FROM send_slots WHERE chat_id = p_chat_id;
    IF v_chat_next > v_now THEN
        wait := extract(epoch FROM v_chat_next - v_now);
        reserved := false;
        RETURN;
    END IF;
    v_slot := greatest(v_now, v_overall_next);
    UPDATE send_slots SET next_at = v_slot + p_overall WHERE chat_id = 0;
    INSERT INTO send_slots (chat_id, next_at) VALUES (p_chat_id, v_slot + p_per_chat)
    ON CONFLICT (chat_id) DO UPDATE SET next_at = EXCLUDED.next_at;
    -- A chat whose slot is long past is the same as a chat never sent to.
    DELETE FROM send_slots WHERE next_at < v_now - interval '1 minute' AND chat_id <> 0;
    wait := extract(epoch FROM v_slot - v_now);
    reserved := true;
END $$;
