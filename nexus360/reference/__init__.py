"""Reference data the migrations seed: countries (ISO 3166), industries and the standard pipeline stages."""
