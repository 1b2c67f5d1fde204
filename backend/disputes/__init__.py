"""Dispute screening and mediation (矛盾纠纷排查调处), worked up and down the comprehensive-governance
centres: registered where they happen, mediated, escalated or handed down, closed with an outcome;
and each unit's weekly screening report."""
