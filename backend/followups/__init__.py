"""Follow-up visits of patients (随访): the shared record of each visit, when the next is due."""
