"""Lead scoring: the rules marketers edit (service.py) and the score they give a lead (engine.py, pure)."""
