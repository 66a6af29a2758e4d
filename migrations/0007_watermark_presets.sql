-- Watermarks: each user's named presets, which one marks their images, and the change they are
-- previewing but have not applied yet.

-- settings: WatermarkSpec.to_dict() without the logo; a logo mark keeps its PNG in logo.
CREATE TABLE watermark_presets (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 32),
    settings    jsonb NOT NULL,
    logo        bytea,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, name),
    UNIQUE (user_id, id)
);

-- No row, or no preset: the user's mark is their channel's @username.
CREATE TABLE watermark_users (
    user_id         bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    preset_id       bigint,
    draft_settings  jsonb,
    draft_logo      bytea,
    -- The current preset must be one of the user's own.
    FOREIGN KEY (user_id, preset_id) REFERENCES watermark_presets (user_id, id)
);
