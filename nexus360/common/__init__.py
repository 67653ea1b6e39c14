"""What no domain owns: errors, periods, pagination, SQL and text helpers, validation messages, exports, money."""
