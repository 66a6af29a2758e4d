-- The language a user chose in /settings; NULL follows the language_code Telegram sends.
ALTER TABLE users
    ADD COLUMN chosen_language text CHECK (chosen_language IN ('en', 'ru'));
