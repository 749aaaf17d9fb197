"""Answer feedback: the good/bad votes people give answers (and what they say was wrong), stored with the
turn each belongs to, listed by ``opsbot feedback`` and exported as evaluation cases."""
