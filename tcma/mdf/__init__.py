"""Market Development Funds: budgets, allocations, fund requests, claims, payments, ledger."""
