"""Help requests (M-Smart cases): intake from every channel, tied to a registry person,
routed to a department and office, assigned, decided with the aid schemes' rules and a
second person's confirmation, and clocked against their SLA.

- `sitthi.cases.catalog`: help types, departments, channels, urgencies, routing rules.
- `sitthi.cases.schemes`: aid schemes as validated YAML (eligibility, amount, caps).
- `sitthi.cases.intake`: receive requests (API, form, hotline, file import).
- `sitthi.cases.matching`: tie a request to a person of the newest release.
- `sitthi.cases.workflow`: statuses, transitions, assignment, SLA and overdue lists.
- `sitthi.cases.consider`: proposed decisions from the schemes and the aid history.
- `sitthi.cases.decisions`: maker–checker confirmation, payment, department exports.
"""
