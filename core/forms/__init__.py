"""WTForms from a council's questions (``questions``), and forms whose text answers are checked
(``checked``)."""
