"""The texts services render themselves (chart titles, CSV headers, the share page, alert and
billing messages sent from background work), one module per feature and catalog domain, as in
bot/i18n_texts/. A service is handed a `Translator` (from `Catalogs.translator(locale)`)."""
