"""Ledgers of special and vulnerable groups (特殊人群困难群体台账): who is registered with which
department's ledger, who answers for them, and the checks that keep the ledger true."""
