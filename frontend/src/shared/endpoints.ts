/**
 * The HTTP endpoints the frontend calls, in one table.
 *
 * `scripts/check-contract.mjs` reads this file (it must stay free of imports) and checks each
 * row against the backend's OpenAPI document: the path and method exist, and the property names
 * of `request` / `response` (interfaces in `types.ts`) appear in the matching schemas.
 */

export const ENDPOINTS = {
  clientConfig: { method: "GET", path: "/api/client-config", auth: false, response: "ClientConfig" },
  login: { method: "POST", path: "/api/auth/login", auth: false, request: "LoginRequest", response: "TokenResponse" },
  refresh: { method: "POST", path: "/api/auth/refresh", auth: false, request: "RefreshRequest", response: "TokenResponse" },
  logout: { method: "POST", path: "/api/auth/logout", auth: false, request: "RefreshRequest", response: null },
  me: { method: "GET", path: "/api/me", auth: true, response: "Me" },
  geoUnits: { method: "GET", path: "/api/geo/units", auth: true, query: ["level"], response: "OrgUnitCollection" },
  geoBounds: { method: "GET", path: "/api/geo/bounds", auth: true, response: "GeoBounds" },
  // The operator console (paths with `{…}` are filled in by the caller).
  addressSearch: { method: "GET", path: "/api/addresses/search", auth: true, query: ["q", "limit"], response: "AddressPage" },
  patients: { method: "GET", path: "/api/patients", auth: true, query: ["address_id"], response: "PatientPage" },
  patient: { method: "GET", path: "/api/patients/{patient_id}", auth: true, response: "PatientView" },
  patientLookup: { method: "POST", path: "/api/patients/lookup", auth: true, request: "PatientLookupRequest", response: "PatientPage" },
  playbookSelect: { method: "GET", path: "/api/playbooks/select", auth: true, query: ["kind", "patient_id"], response: "PlaybookSummary" },
  playbook: { method: "GET", path: "/api/playbooks/{playbook_id}", auth: true, response: null },
  playbooks: { method: "GET", path: "/api/playbooks", auth: true, response: "PlaybookSummary" },
  incidentCreate: { method: "POST", path: "/api/incidents", auth: true, request: "IncidentCreateRequest", response: "CreateIncidentResult" },
  incident: { method: "GET", path: "/api/incidents/{incident_id}", auth: true, response: "IncidentDetail" },
  incidentTimeline: { method: "GET", path: "/api/incidents/{incident_id}/timeline", auth: true, query: ["after"], response: "TimelineEntry" },
  incidentRecommendations: { method: "GET", path: "/api/incidents/{incident_id}/recommendations", auth: true, query: ["role", "k"], response: "Recommendation" },
  incidentNote: { method: "POST", path: "/api/incidents/{incident_id}/notes", auth: true, request: "NoteRequest", response: null },
  incidentPriority: { method: "POST", path: "/api/incidents/{incident_id}/priority", auth: true, request: "PriorityRequest", response: null },
  incidentCancel: { method: "POST", path: "/api/incidents/{incident_id}/cancel", auth: true, request: "ReasonRequest", response: null },
  incidentAssign: { method: "POST", path: "/api/incidents/{incident_id}/assign", auth: true, request: "ManualAssignRequest", response: null },
  incidentRelease: { method: "POST", path: "/api/incidents/{incident_id}/assignments/{assignment_id}/release", auth: true, request: "ReasonRequest", response: null },
  incidentHandover: { method: "POST", path: "/api/incidents/{incident_id}/handover", auth: true, request: "HandoverRequest", response: "IncidentDetail" },
  incidentPatient: { method: "POST", path: "/api/incidents/{incident_id}/patient", auth: true, request: "SubjectLinkRequest", response: "IncidentDetail" },
  incidentPlaybook: { method: "POST", path: "/api/incidents/{incident_id}/playbook", auth: true, request: "PlaybookSwitchRequest", response: "IncidentDetail" },
  incidentClose: { method: "POST", path: "/api/incidents/{incident_id}/close", auth: true, request: "CloseIncidentRequest", response: "IncidentDetail" },
  incidentWaiveStep: { method: "POST", path: "/api/incidents/{incident_id}/steps/{step_id}/waive", auth: true, request: "ReasonRequest", response: "IncidentDetail" },
  // Today's KPIs (wall), trends and SLA heat (leader), docs/kpi.md.
  kpiToday: { method: "GET", path: "/api/kpi/today", auth: true, query: ["unit"], response: "TodayKpis" },
  kpiTrends: { method: "GET", path: "/api/kpi/trends", auth: true, query: ["bucket", "level", "since", "until", "unit"], response: "KpiTrends" },
  kpiSlaCells: { method: "GET", path: "/api/kpi/sla-cells", auth: true, query: ["res", "since", "until", "unit"], response: "SlaCells" },
  // The one map's counts (docs/blockdata.md), key places and coverage gaps (the wall's layers).
  mapCells: { method: "GET", path: "/api/map/cells", auth: true, query: ["layer", "res", "key", "bbox", "since", "until"], response: "CellCountsResponse" },
  keyPlaces: { method: "GET", path: "/api/map/key-places", auth: true, query: ["kind", "unit", "bbox", "limit"], response: "KeyPlaces" },
  coverageGaps: { method: "GET", path: "/api/coverage/gaps", auth: true, query: ["minutes", "capability", "min_risk_grade", "unit"], response: "CoverageGaps" },
  // The leader view's after-action archives (called with a trailing slash: `/archive/`).
  archive: { method: "GET", path: "/api/incidents/{incident_id}/archive", auth: true, response: "ArchiveView" },
  archiveNote: { method: "POST", path: "/api/incidents/{incident_id}/archive/notes", auth: true, response: null },
  archiveReview: { method: "POST", path: "/api/incidents/{incident_id}/archive/review", auth: true, response: null },
  // The case work page (follow-up visits, the worklist) and early warnings (case work, leader, wall).
  followUpsDue: { method: "GET", path: "/api/follow-ups/due", auth: true, query: ["scope", "within_days", "risk_min", "limit"], response: "DuePage" },
  patientFollowUps: { method: "GET", path: "/api/patients/{patient_id}/follow-ups", auth: true, query: ["limit"], response: "FollowUpPage" },
  followUpRecord: { method: "POST", path: "/api/patients/{patient_id}/follow-ups", auth: true, request: "FollowUpCreate", response: "FollowUpRecorded" },
  warnings: { method: "GET", path: "/api/warnings", auth: true, query: ["state", "rule", "limit"], response: "WarningPage" },
  warningUnits: { method: "GET", path: "/api/warnings/units", auth: true, query: ["level"], response: "UnitWarningPage" },
  warningAcknowledge: { method: "POST", path: "/api/warnings/{warning_id}/acknowledge", auth: true, request: "WarningAck", response: "WarningView" },
  // The leaders' governance overview (the leader view's 治理概览 tab), backend/governance.
  governanceUnits: { method: "GET", path: "/api/governance/units", auth: true, query: ["level"], response: "GovernanceOverview" },
  // Psychological services (the /psych/ page): persons found by a key, their record, the unit's work.
  personLookup: { method: "POST", path: "/api/persons/lookup", auth: true, request: "PersonLookupRequest", response: "PersonPage" },
  person: { method: "GET", path: "/api/persons/{person_id}", auth: true, response: "PersonView" },
  psychAssessment: { method: "POST", path: "/api/psych/assessments", auth: true, request: "AssessmentCreate", response: "AssessmentRecorded" },
  psychService: { method: "POST", path: "/api/psych/services", auth: true, request: "ServiceCreate", response: "ServiceRecorded" },
  psychPerson: { method: "GET", path: "/api/psych/persons/{person_id}", auth: true, response: "PersonPsych" },
  psychAttention: { method: "GET", path: "/api/psych/attention", auth: true, query: ["limit"], response: "AttentionPage" },
  psychActivities: { method: "GET", path: "/api/psych/activities", auth: true, query: ["limit"], response: "ActivityPage" },
  psychActivityCreate: { method: "POST", path: "/api/psych/activities", auth: true, request: "ActivityCreate", response: "ActivityRecorded" },
  psychUnits: { method: "GET", path: "/api/psych/units", auth: true, query: ["level", "since", "until"], response: "UnitFiguresPage" },
  psychInstructions: { method: "GET", path: "/api/psych/instructions", auth: true, response: "InstructionPage" },
  psychInstructionCreate: { method: "POST", path: "/api/psych/instructions", auth: true, request: "InstructionCreate", response: "InstructionCreated" },
  psychFeedback: { method: "POST", path: "/api/psych/instructions/{instruction_id}/feedback", auth: true, request: "InstructionFeedback", response: "InstructionView" },
  psychReports: { method: "GET", path: "/api/psych/reports", auth: true, query: ["period"], response: "ReportStatus" },
  psychReportCreate: { method: "POST", path: "/api/psych/reports", auth: true, request: "ReportCreate", response: "ReportSubmitted" },
  // Ledgers of special and vulnerable groups (the /ledgers/ page).
  ledgers: { method: "GET", path: "/api/ledgers", auth: true, query: ["group", "which", "limit", "offset"], response: "LedgerEntryPage" },
  ledgerPending: { method: "GET", path: "/api/ledgers/pending", auth: true, query: ["group", "limit", "offset"], response: "LedgerPendingPage" },
  ledgerOfficers: { method: "GET", path: "/api/ledgers/officers", auth: true, query: ["person_id", "group"], response: "LedgerOfficerPage" },
  ledgerSummary: { method: "GET", path: "/api/ledgers/summary", auth: true, query: ["level"], response: "LedgerSummary" },
  ledgerRegister: { method: "POST", path: "/api/ledgers", auth: true, request: "LedgerEntryCreate", response: "LedgerEntryRecorded" },
  ledgerEntry: { method: "GET", path: "/api/ledgers/{entry_id}", auth: true, response: "LedgerEntryDetail" },
  ledgerCheck: { method: "POST", path: "/api/ledgers/{entry_id}/checks", auth: true, request: "LedgerCheckCreate", response: "LedgerCheckRecorded" },
  ledgerClose: { method: "POST", path: "/api/ledgers/{entry_id}/close", auth: true, request: "LedgerEntryClose", response: "LedgerEntryView" },
  // Rental-housing grading (the /rentals/ page).
  rentalChecklist: { method: "GET", path: "/api/rentals/checklist", auth: true, response: "RentalChecklist" },
  rentals: { method: "GET", path: "/api/rentals", auth: true, query: ["which", "q", "limit", "offset"], response: "RentalPage" },
  rentalHazards: { method: "GET", path: "/api/rentals/hazards", auth: true, query: ["department", "which", "limit", "offset"], response: "RentalHazardPage" },
  rentalSummary: { method: "GET", path: "/api/rentals/summary", auth: true, query: ["level"], response: "RentalSummary" },
  rental: { method: "GET", path: "/api/rentals/houses/{house_id}", auth: true, response: "RentalDetail" },
  rentalSignOff: { method: "POST", path: "/api/rentals/hazards/{hazard_id}/sign-off", auth: true, request: "RentalSignOffCreate", response: "RentalSignOffRecorded" },
  rentalAssess: { method: "POST", path: "/api/rentals/houses/{house_id}/assessments", auth: true, request: "RentalAssessmentCreate", response: "RentalAssessmentRecorded" },
  // Dispute screening and mediation (the /disputes/ page).
  disputes: { method: "GET", path: "/api/disputes", auth: true, query: ["which", "kind", "limit", "offset"], response: "DisputePage" },
  disputeSummary: { method: "GET", path: "/api/disputes/summary", auth: true, query: ["level"], response: "DisputeSummary" },
  disputeScreenings: { method: "GET", path: "/api/disputes/screenings", auth: true, query: ["week", "level"], response: "DisputeScreeningPage" },
  disputeReportScreening: { method: "POST", path: "/api/disputes/screenings", auth: true, request: "DisputeScreeningCreate", response: "DisputeScreeningView" },
  disputeRegister: { method: "POST", path: "/api/disputes", auth: true, request: "DisputeCreate", response: "DisputeRecorded" },
  dispute: { method: "GET", path: "/api/disputes/{dispute_id}", auth: true, response: "DisputeDetail" },
  disputeMediate: { method: "POST", path: "/api/disputes/{dispute_id}/mediations", auth: true, request: "DisputeMediationCreate", response: "DisputeRecorded" },
  disputeEscalate: { method: "POST", path: "/api/disputes/{dispute_id}/escalate", auth: true, request: "DisputeEscalateCreate", response: "DisputeRecorded" },
  disputeAssign: { method: "POST", path: "/api/disputes/{dispute_id}/assign", auth: true, request: "DisputeAssignCreate", response: "DisputeRecorded" },
  disputeRisk: { method: "POST", path: "/api/disputes/{dispute_id}/risk", auth: true, request: "DisputeRiskCreate", response: "DisputeRecorded" },
  disputeClose: { method: "POST", path: "/api/disputes/{dispute_id}/close", auth: true, request: "DisputeCloseCreate", response: "DisputeRecorded" },
  disputeLinkParty: { method: "POST", path: "/api/disputes/{dispute_id}/parties", auth: true, request: "DisputePartyCreate", response: "DisputePartyRecorded" },
} as const;

export type EndpointName = keyof typeof ENDPOINTS;
