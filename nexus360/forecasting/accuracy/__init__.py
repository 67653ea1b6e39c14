"""How good each method and each rep's call have been: error against actual over closed periods, and coverage."""
