export {
  type ApiKeyRecord,
  authenticateSecret,
  createApiKey,
  createOrganization,
  findActiveKeyBySecret,
  getOrganization,
  getOrganizationCached,
  hashSecret,
  type Organization,
  revokeApiKey,
  setAllowedRedirectDomains,
} from "./service.js";
