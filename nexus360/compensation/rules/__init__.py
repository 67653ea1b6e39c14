"""Commission rules: what each rule pays, validated and described in plain words."""
