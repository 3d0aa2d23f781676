"""Renewal, invoices, payment and the certification lifecycle (grace, invalid, reminders)."""
