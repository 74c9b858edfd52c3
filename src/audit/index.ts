export { type AuditEntry, type AuditInput, getAuditEntry, listAuditEntries, recordAudit } from "./record.js";
export { auditApiChanges } from "./routes-api-changes.js";
