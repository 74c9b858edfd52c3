export { createSignInLink, revokeAllSessions } from "./access.js";
export { registerDashboard } from "./routes.js";
export { type DashboardUser, ensureUser, findUserByEmail, ROLES, setMembership } from "./users.js";
