"""Pure helpers shared by the platform parsers: text, dates, locations, salary, prose."""
